import { ConfigError, loadConfig } from '../../lib/config';

const DAY = 86_400_000;

/** The records' retention (db/retention.ts): unset keeps them; set, it is at least 30 days. */
describe('AUDIT_RETENTION, SECURITY_EVENT_RETENTION, MAIL_LOG_RETENTION', () => {
  it('keep the records when unset', () => {
    const config = loadConfig({});
    expect([config.auditRetentionMs, config.securityEventRetentionMs, config.mailLogRetentionMs]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('read a duration of 30 days or more', () => {
    const config = loadConfig({ AUDIT_RETENTION: '400d', SECURITY_EVENT_RETENTION: '90d', MAIL_LOG_RETENTION: '30d' });
    expect([config.auditRetentionMs, config.securityEventRetentionMs, config.mailLogRetentionMs]).toEqual([
      400 * DAY,
      90 * DAY,
      30 * DAY,
    ]);
  });

  it.each([
    ['MAIL_LOG_RETENTION', '7d', /MAIL_LOG_RETENTION: at least 30d, or unset to keep them/],
    ['AUDIT_RETENTION', '0', /AUDIT_RETENTION: not a duration: "0"/],
    ['SECURITY_EVENT_RETENTION', 'forever', /SECURITY_EVENT_RETENTION: not a duration: "forever"/],
  ])('refuse %s=%s, naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
