import { readdir, readFile } from 'node:fs/promises';
import { cpuSeconds } from './proc';

/** Every PostgreSQL server process on the machine (the shared server and its backends). */
async function postgresPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') pids.push(Number(entry));
  }
  return pids;
}

export interface CpuSample {
  app: number;
  temporal: number;
  postgres: number;
  driver: number;
}

/** CPU seconds used so far by the process under test, the dev server, PostgreSQL and this driver. */
export async function sampleCpu(appPid: number, temporalPid: number): Promise<CpuSample> {
  const pg = await postgresPids();
  const pgCpu = (await Promise.all(pg.map((pid) => cpuSeconds(pid).catch(() => 0)))).reduce((a, b) => a + b, 0);
  const self = process.cpuUsage();
  return {
    app: await cpuSeconds(appPid),
    temporal: await cpuSeconds(temporalPid),
    postgres: pgCpu,
    driver: (self.user + self.system) / 1e6,
  };
}

export const cpuDelta = (a: CpuSample, b: CpuSample): CpuSample => ({
  app: b.app - a.app,
  temporal: b.temporal - a.temporal,
  postgres: Math.max(0, b.postgres - a.postgres),
  driver: b.driver - a.driver,
});
