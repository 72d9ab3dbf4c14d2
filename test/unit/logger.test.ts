import { Writable } from 'node:stream';
import { withLogContext } from '../../lib/log-context';
import { createLogger } from '../../lib/logger';

describe('logger redaction', () => {
  it('replaces passwords, secrets, tokens and Authorization headers, at any of the first three levels', () => {
    let out = '';
    const log = createLogger(
      { level: 'info' },
      new Writable({ write: (c, _e, done) => ((out += c.toString()), done()) }),
    );
    log.info(
      {
        password: 'p1',
        token: 't1',
        clientSecret: 's1',
        req: { headers: { authorization: 'Bearer a1', cookie: 'c1' }, body: { anything: 'b1' } },
        client: { credentials: { username: 'u', password: 'p2' } },
        deep: { inner: { webhookSecret: 'w1' } },
      },
      'hello',
    );
    for (const secret of ['p1', 't1', 's1', 'a1', 'c1', 'b1', 'p2', 'w1']) expect(out).not.toContain(`"${secret}"`);
    expect(out).toContain('[redacted]');
  });
});

describe('logger context', () => {
  it("adds the running unit of work's fields to every line, below the line's own and still redacted", () => {
    let out = '';
    const log = createLogger(
      { level: 'info' },
      new Writable({ write: (c, _e, done) => ((out += c.toString()), done()) }),
    );
    withLogContext({ requestId: 'r-1' }, () => {
      log.info('inside');
      withLogContext({ activityType: 'createTenant' }, () => log.child({ part: 'db' }).info({ token: 't9' }, 'deeper'));
    });
    log.info('outside');
    const [inside, deeper, outside] = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(inside).toMatchObject({ requestId: 'r-1', msg: 'inside' });
    expect(deeper).toMatchObject({ requestId: 'r-1', activityType: 'createTenant', part: 'db', token: '[redacted]' });
    expect(outside.requestId).toBeUndefined();
  });
});
