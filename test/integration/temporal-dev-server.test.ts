import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../infra/free-port';
import { isAlive, terminate } from '../../infra/processes';
import { findTemporalCli } from '../../infra/temporal-cli';
import { startDevServer, type DevServer } from '../../infra/temporal-dev-server';
import { createLogger } from '../../lib/logger';
import { spawnTs } from '../support/ts-child';

/**
 * A dev server on a SQLite file keeps workflows across restarts, and takes the file over from a
 * server that a SIGKILLed run left behind. The workflow has no worker on its task queue, so it
 * simply stays RUNNING: what is checked is the server's memory, not any workflow code.
 */
describe('temporal dev server with a database file', () => {
  const ROOT = path.join(__dirname, '..', '..');
  let cliPath: string;
  let dir: string;
  let dbFile: string;
  const workflowId = `persisted-${randomUUID()}`;
  const servers: DevServer[] = [];
  const strays: number[] = [];

  beforeAll(async () => {
    cliPath = await findTemporalCli({ projectRoot: ROOT });
    dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-temporal-'));
    dbFile = path.join(dir, 'temporal.db');
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const pid of strays) if (await isAlive(pid)) await terminate(pid, { signal: 'SIGKILL' });
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<DevServer> {
    const server = await startDevServer({ cliPath, port: await freePort(), dbFile });
    servers.push(server);
    return server;
  }

  async function withClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address });
    try {
      return await fn(new Client({ connection }));
    } finally {
      await connection.close();
    }
  }

  const statusOf = (address: string) =>
    withClient(address, async (client) => (await client.workflow.getHandle(workflowId).describe()).status.name);

  it('keeps a running workflow across a stop and a start', async () => {
    const first = await start();
    await withClient(first.address, (client) =>
      client.workflow.start('waitsForever', { taskQueue: `no-worker-${randomUUID()}`, workflowId }),
    );
    expect(await statusOf(first.address)).toBe('RUNNING');
    // Write-ahead logging (FILE_PRAGMAS): the log sits beside the database while the server runs.
    expect(existsSync(`${dbFile}-wal`)).toBe(true);
    await first.stop();

    const second = await start();
    expect(await statusOf(second.address)).toBe('RUNNING');
    await second.stop();
  });

  it('stops the server a SIGKILLed run left on the file, and refuses to share a live one', async () => {
    const app = spawnTs('test/fixtures/temporal-dev-server-child.ts', [cliPath, String(await freePort()), dbFile]);
    const started = await app.next(60_000);
    if (typeof started.error === 'string') throw new Error(started.error);
    const orphan = Number(started.pid);
    strays.push(orphan);
    app.process.kill('SIGKILL');
    await app.exited;
    expect(await isAlive(orphan)).toBe(true); // the server outlives the application

    const lines: string[] = [];
    const log = createLogger({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const server = await startDevServer({ cliPath, port: await freePort(), dbFile, log });
    servers.push(server);
    expect(await isAlive(orphan)).toBe(false);
    expect(lines.join('')).toContain('left running by a previous run');
    expect(await statusOf(server.address)).toBe('RUNNING');

    await expect(startDevServer({ cliPath, port: await freePort(), dbFile })).rejects.toThrow(
      /started by this process is still using/,
    );
    await server.stop();
  });
});
