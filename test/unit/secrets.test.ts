import { newDataKey } from '../../lib/envelope';
import { createSecrets } from '../../lib/secrets';

describe('secrets', () => {
  const secrets = createSecrets(newDataKey());

  it('opens what it sealed, only under the same context', () => {
    const sealed = secrets.seal('hunter2', 'collector:1');
    expect(sealed).not.toContain('hunter2');
    expect(secrets.open(sealed, 'collector:1')).toBe('hunter2');
    expect(() => secrets.open(sealed, 'collector:2')).toThrow();
  });

  it('cannot open a value sealed under another master key', () => {
    const other = createSecrets(newDataKey());
    expect(() => other.open(secrets.seal('x', 'c'), 'c')).toThrow();
  });

  it('refuses a flipped bit and a truncated tag', () => {
    const [keyId, iv, tag, body] = secrets.seal('hunter2', 'c').split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => secrets.open([keyId, iv, tag, flipped.toString('base64url')].join('.'), 'c')).toThrow();
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => secrets.open([keyId, iv, short, body].join('.'), 'c')).toThrow(/authentication tag length/);
  });

  it('hashes tokens with a pepper: same token, same hash; other key, other hash', () => {
    const token = secrets.newToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(secrets.hashToken(token)).toBe(secrets.hashToken(token));
    expect(createSecrets(newDataKey()).hashToken(token)).not.toBe(secrets.hashToken(token));
    expect(secrets.tokenMatches(token, secrets.hashToken(token))).toBe(true);
    expect(secrets.tokenMatches(`${token}x`, secrets.hashToken(token))).toBe(false);
  });
});
