import { spawn } from 'node:child_process';
import { isAlive, waitForExit } from '../../infra/processes';

/**
 * isAlive decides whether a crashed run's server is still there to be stopped (infra/temporal-dev-server.ts,
 * infra/embedded-postgres.ts). A zombie, dead but not yet reaped by a parent that never waits, is dead.
 */
describe('isAlive', () => {
  it('is true for a running process and false once it has exited and been reaped', async () => {
    const child = spawn('sleep', ['30']);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    expect(await isAlive(child.pid!)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(await waitForExit(child.pid!, 5_000)).toBe(true);
    expect(await isAlive(child.pid!)).toBe(false);
  });

  it('counts a zombie as dead', async () => {
    // `sh` forks a short `true` and then becomes `sleep`, which never waits: the `true` stays a zombie.
    const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (d) => resolve(Number(d))));
      expect(await waitForExit(zombie, 5_000)).toBe(true);
      expect(await isAlive(zombie)).toBe(false);
      expect(await isAlive(parent.pid!)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('is false for ids that name no process', async () => {
    expect(await isAlive(0)).toBe(false);
    expect(await isAlive(-1)).toBe(false);
    expect(await isAlive(2 ** 22 + 1)).toBe(false);
  });
});
