/**
 * Reads again every `intervalMs` until `done(value)`, and returns that value; after `timeoutMs` it returns
 * the last value read, so that the caller's own assertions say what was wrong with it.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `check` answers true; fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000, intervalMs = 100): Promise<void> {
  if (!(await pollUntil(check, (met) => met, { timeoutMs, intervalMs })))
    throw new Error(`condition not met within ${timeoutMs} ms`);
}
