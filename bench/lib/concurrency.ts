/**
 * Runs fn for 0..n-1 with at most k at a time; returns the results in order. With a deadline (epoch
 * ms), no new item starts after it: those left out stay undefined.
 */
export async function withConcurrency<T>(
  n: number,
  k: number,
  fn: (i: number) => Promise<T>,
  deadline = Infinity,
): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(k, n) }, async () => {
      while (next < n && Date.now() < deadline) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}
