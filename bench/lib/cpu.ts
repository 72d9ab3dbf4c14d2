import { readdir, readFile } from 'node:fs/promises';
import { cpuSeconds } from './proc';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * A PostgreSQL server process and what it serves: a backend's process title names its database
 * ("postgres: 15/main: user db 127.0.0.1(port) idle", the cluster name only on some servers); the server's own processes (WAL writer, checkpointer,
 * autovacuum launcher, …) have none.
 */
interface PgProcess {
  cpu: number;
  database?: string;
}

async function postgresProcesses(): Promise<Map<number, PgProcess>> {
  const found = new Map<number, PgProcess>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() !== 'postgres') continue;
    const pid = Number(entry);
    const title = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const database = /^postgres: (?:\S+: )?\S+ (\S+) \S+\(\d+\)/.exec(title.replace(/\0/g, ' '))?.[1];
    const cpu = await cpuSeconds(pid).catch(() => undefined);
    if (cpu !== undefined) found.set(pid, { cpu, database });
  }
  return found;
}

/** The machine as a whole, from /proc/stat: every process's CPU, ours and anyone else's. */
async function machineTicks(): Promise<{ busy: number; iowait: number }> {
  const [user, nice, system, , iowait, irq, softirq, steal] = (await readFile('/proc/stat', 'utf8'))
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return {
    busy: (user + nice + system + irq + softirq + (steal || 0)) / TICKS_PER_SECOND,
    iowait: iowait / TICKS_PER_SECOND,
  };
}

/** Which processes a measurement reads: named groups of pids, the Temporal server, and the run's databases. */
export interface CpuTargets {
  /** The process under test (`app`), or several groups of them (`api`, `worker`). */
  groups: Record<string, number[]>;
  temporalPid: number;
  /** The Temporal server's own databases (the real server's persistence and visibility); none for the dev server. */
  temporalDatabases?: string[];
  /** The product's (and the baselines') database. */
  appDatabases?: string[];
}

export interface CpuReading {
  at: number;
  groups: Record<string, number>;
  temporal: number;
  postgres: Map<number, PgProcess>;
  driver: number;
  machine: { busy: number; iowait: number };
}

/**
 * CPU seconds used by a measurement (between two readings), by process group. `postgres` is the
 * server's own processes plus the backends of this run's databases, so that other databases'
 * backends (other people's tests on a shared machine) are not counted; `postgresTemporal` is the
 * part serving the Temporal server's databases. `machineBusy` and `machineIowait` are the whole
 * machine's CPU seconds busy and waiting on the disk, everyone's included.
 */
export interface CpuSample {
  app: number;
  temporal: number;
  postgres: number;
  driver: number;
  postgresTemporal?: number;
  groups?: Record<string, number>;
  machineBusy?: number;
  machineIowait?: number;
}

export async function readCpu(targets: CpuTargets): Promise<CpuReading> {
  const groups: Record<string, number> = {};
  for (const [name, pids] of Object.entries(targets.groups)) {
    groups[name] = (await Promise.all(pids.map((pid) => cpuSeconds(pid).catch(() => 0)))).reduce((a, b) => a + b, 0);
  }
  const self = process.cpuUsage();
  return {
    at: Date.now(),
    groups,
    temporal: await cpuSeconds(targets.temporalPid),
    postgres: await postgresProcesses(),
    driver: (self.user + self.system) / 1e6,
    machine: await machineTicks(),
  };
}

/**
 * What was used between two readings. A PostgreSQL process is counted by its own delta (one that
 * started in between, a new connection, by all it used; one that ended in between is lost).
 */
export function cpuBetween(targets: CpuTargets, a: CpuReading, b: CpuReading): CpuSample {
  const ours = new Set([...(targets.temporalDatabases ?? []), ...(targets.appDatabases ?? [])]);
  const temporalDbs = new Set(targets.temporalDatabases ?? []);
  let postgres = 0;
  let postgresTemporal = 0;
  for (const [pid, after] of b.postgres) {
    // Other databases' backends are someone else's; without the run's databases named, all count (as before).
    if (after.database !== undefined && ours.size > 0 && !ours.has(after.database)) continue;
    const used = Math.max(0, after.cpu - (a.postgres.get(pid)?.cpu ?? 0));
    postgres += used;
    if (after.database !== undefined && temporalDbs.has(after.database)) postgresTemporal += used;
  }
  const groups = Object.fromEntries(Object.keys(b.groups).map((k) => [k, b.groups[k] - (a.groups[k] ?? 0)]));
  return {
    app: Object.values(groups).reduce((x, y) => x + y, 0),
    temporal: b.temporal - a.temporal,
    postgres,
    driver: b.driver - a.driver,
    ...(temporalDbs.size > 0 ? { postgresTemporal } : {}),
    ...(Object.keys(groups).some((k) => k !== 'app') ? { groups } : {}),
    machineBusy: b.machine.busy - a.machine.busy,
    machineIowait: b.machine.iowait - a.machine.iowait,
  };
}

/** The measurement of one pid as the process under test (the scenarios before groups). */
export const appTargets = (
  appPid: number,
  temporalPid: number,
  databases: { temporal?: string[]; app?: string[] } = {},
): CpuTargets => ({
  groups: { app: [appPid] },
  temporalPid,
  temporalDatabases: databases.temporal,
  appDatabases: databases.app,
});
