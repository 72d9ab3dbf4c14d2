import { CliError } from './context';

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/** A non-2xx answer other than an unrecoverable 401; printed as its detail and each errors[] entry. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The API could not be reached at all (refused, reset, timed out). */
export class NetworkError extends CliError {}

export interface RawResponse {
  status: number;
  body: unknown;
  text: string;
}

/** Where the bearer token comes from, and how to get a fresh one after a 401. */
export interface Auth {
  accessToken(): string;
  /** Tries once to obtain a new access token; false when it cannot. */
  renew(): Promise<boolean>;
  /** The error for a token the API still refuses. */
  refused(problem: Problem): CliError;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** One HTTP exchange; network failures become a CliError naming the API, never with a token in it. */
export async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`
        : (cause?.code ?? cause?.message ?? (err as Error).message);
    throw new NetworkError(`cannot reach the gangway API at ${baseUrl}: ${why}`, [
      'is the stack running (`npm start`)? Name another API with --api URL or GANGWAY_API_URL',
    ]);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, body, text };
}

export function problemOf(res: RawResponse): Problem {
  if (typeof res.body === 'object' && res.body !== null) return res.body as Problem;
  const snippet = res.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return { status: res.status, title: `HTTP ${res.status}`, detail: snippet || undefined };
}

/** The API, with the caller's bearer token; a 401 is answered by renewing the token once. */
export class GangwayApi {
  constructor(
    readonly baseUrl: string,
    private readonly auth: Auth,
  ) {}

  async call<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    let res = await send(this.baseUrl, method, path, { ...options, token: this.auth.accessToken() });
    if (res.status === 401) {
      if (!(await this.auth.renew())) throw this.auth.refused(problemOf(res));
      res = await send(this.baseUrl, method, path, { ...options, token: this.auth.accessToken() });
      if (res.status === 401) throw this.auth.refused(problemOf(res));
    }
    if (res.status < 200 || res.status > 299) throw new ApiError(res.status, problemOf(res));
    return { status: res.status, body: res.body as T };
  }
}
