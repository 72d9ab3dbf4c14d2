import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createUser, type ApproverKind, type Role } from '../../db/users';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** How tests talk to a running API, in this process or another: requests, users, and waiting on the read model. */
export function productHttp(baseUrl: string | (() => string), pool: Pool) {
  const base = typeof baseUrl === 'string' ? () => baseUrl : baseUrl;

  const http = async <T = any>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${base()}${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: body as T, headers: response.headers, text };
  };

  const addUser = async (
    role: Role,
    options: {
      email?: string;
      approverKind?: ApproverKind;
      password?: string;
      firstName?: string;
      lastName?: string;
    } = {},
  ) => {
    const email = options.email ?? `${role}-${randomBytes(4).toString('hex')}@gangway.example`;
    const password = options.password ?? `pw-${randomBytes(8).toString('hex')}`;
    const { id } = await createUser(pool, {
      email,
      role,
      approverKind: options.approverKind ?? (role === 'approver' ? 'AM' : undefined),
      password,
      firstName: options.firstName,
      lastName: options.lastName,
    });
    const login = await http('POST', '/v1/login', { body: { email, password } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
    return { id, email, token: login.body.accessToken as string };
  };

  /** Polls the projection until the predicate holds (the read model trails the workflow by milliseconds). */
  const waitForOnboarding = async (
    id: string,
    token: string,
    predicate: (view: any) => boolean,
    timeoutMs = 20_000,
  ): Promise<any> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      const res = await http('GET', `/v1/onboardings/${id}`, { token });
      last = res.body;
      if (res.status === 200 && predicate(res.body)) return res.body;
      if (Date.now() > deadline)
        throw new Error(`onboarding ${id} did not reach the expected state; last seen: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return { http, addUser, waitForOnboarding };
}
