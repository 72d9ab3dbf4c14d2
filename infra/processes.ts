import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

/**
 * Small process helpers for taking over a data directory after a crash: is this pid still alive,
 * what is it, who is its parent, and stop it. Linux answers from /proc; elsewhere `ps` is asked.
 */

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** Working directory; only known on Linux (and only readable for our own processes unless root). */
  cwd?: string;
}

/** Whether this system answers from /proc (Linux); elsewhere only the signal test is asked. */
const HAS_PROC = existsSync('/proc/self/stat');

/**
 * True while pid names a running process. A zombie (dead, not yet reaped: orphans of a pid 1 that
 * reaps late) counts as dead. EPERM means it exists but belongs to another user: alive.
 */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!HAS_PROC) return true;
  // No stat after a successful signal test: the zombie was reaped between the two looks, so it is gone.
  const stat = await procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Parent, command line and (Linux) working directory of a live process; undefined when it is gone. */
export async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  if (!(await isAlive(pid))) return undefined;
  const stat = await procStat(pid);
  if (stat) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').then(
      (text) => text.split('\0').filter(Boolean).join(' '),
      () => '',
    );
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    return { pid, ppid: stat.ppid, command, cwd };
  }
  try {
    const { stdout } = await run('ps', ['-o', 'ppid=', '-o', 'args=', '-p', String(pid)]);
    const match = /^\s*(\d+)\s+(.*)$/.exec(stdout.trim());
    return match ? { pid, ppid: Number(match[1]), command: match[2] } : undefined;
  } catch {
    return undefined;
  }
}

/** Live processes whose working directory is dir (Linux only; elsewhere an empty list). */
export async function processesInDirectory(dir: string): Promise<ProcessInfo[]> {
  const target = await realpath(dir).catch(() => dir);
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => undefined);
    if (cwd !== target) continue;
    const info = await processInfo(Number(entry));
    if (info) found.push(info);
  }
  return found;
}

/** Resolves true once pid is gone, false if it is still alive after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await isAlive(pid))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/** Sends signal, waits graceMs, then SIGKILL; resolves true once the process is gone. */
export async function terminate(
  pid: number,
  options: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<boolean> {
  const send = (signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  send(options.signal ?? 'SIGTERM');
  if (await waitForExit(pid, options.graceMs ?? 10_000)) return true;
  send('SIGKILL');
  return waitForExit(pid, 5_000);
}

/** A small JSON record (pid files); undefined when missing or unreadable. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** State letter and parent pid from /proc/<pid>/stat; undefined without /proc. */
async function procStat(pid: number): Promise<{ state: string; ppid: number } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // "pid (comm) state ppid ...": comm may itself contain spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], ppid: Number(fields[1]) };
}
