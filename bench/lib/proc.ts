import { readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc. */
export const cpuSeconds = (pid: number): Promise<number> => cpuSecondsOf(`/proc/${pid}/stat`);

/** The same from any stat file of /proc: a process's, or one of its threads' (`/proc/PID/task/TID/stat`). */
export async function cpuSecondsOf(statPath: string): Promise<number> {
  const stat = await readFile(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}
