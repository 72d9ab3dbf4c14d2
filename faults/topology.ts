import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'test', 'fixtures', 'gangway-cli.ts');

/** One `gangway api|worker|migrate` as its own OS process, from the sources, configured only by the environment. */
export interface GangwayProcess {
  role: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export function runGangway(role: string, env: Record<string, string>): GangwayProcess {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register-ts.js'), CLI, role], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { role, child, exited, output: () => output };
}

/** Polls readiness until it answers 200; fails early if the process exits. */
export async function waitUntilReady(url: string, proc: GangwayProcess, timeoutMs = 120_000): Promise<void> {
  let exited: unknown;
  void proc.exited.then((status) => (exited = status));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${proc.role} exited ${JSON.stringify(exited)} before it was ready: ${proc.output()}`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms: ${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A webhook receiver that answers 503 for its first `flakyForMs`, then 200; it keeps every webhook-id it saw. */
export async function startFlakyReceiver(flakyForMs: number) {
  const startedAt = Date.now();
  const deliveries: { id: string; status: number }[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = Date.now() - startedAt < flakyForMs ? 503 : 200;
      deliveries.push({ id: String(req.headers['webhook-id'] ?? ''), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Answer {
  status: number;
  body: any;
  retryAfter?: string;
}

/** One request; a refused connection or a timeout is status 0 (the API process is down). */
export async function request(
  base: string,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${base}${route}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, retryAfter: res.headers.get('retry-after') ?? undefined };
  } catch {
    return { status: 0, body: undefined };
  }
}
