import autocannon from 'autocannon';

export interface LoadResult {
  p50: number;
  p99: number;
  rps: number;
  non2xx: number;
  errors: number;
  requests: number;
  percentiles: Record<string, number>;
}

/** A fixed offered rate (overallRate) or a closed loop (no rate) against one endpoint, on loopback only. */
export async function load(options: {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: () => string;
  durationSec: number;
  connections: number;
  rate?: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    duration: options.durationSec,
    connections: options.connections,
    overallRate: options.rate,
    requests: options.body ? [{ setupRequest: (req: any) => ({ ...req, body: options.body!() }) }] : undefined,
  });
  const l = result.latency as unknown as Record<string, number>;
  return {
    p50: l.p50,
    p99: l.p99,
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    requests: result.requests.total,
    percentiles: Object.fromEntries(Object.entries(l).filter(([key]) => /^p\d/.test(key))),
  };
}
