import { webhookUrlProblem } from '../../notify/webhook-url-guard';

describe('webhook URL guard', () => {
  const resolvesTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address }));

  it.each([
    ['http://127.0.0.1:8080/x'],
    ['http://localhost.example/x'],
    ['http://10.0.0.1/x'],
    ['http://172.20.1.1/x'],
    ['http://192.168.1.1/x'],
    ['http://169.254.169.254/latest'],
    ['http://[::1]/x'],
    ['http://[fe80::1]/x'],
    ['http://[fd00::1]/x'],
    ['http://[::ffff:127.0.0.1]/x'],
    ['http://0.0.0.0/x'],
  ])('refuses %s', async (url) => {
    expect(await webhookUrlProblem(url, [], resolvesTo('127.0.0.1'))).toMatch(/loopback, private or link-local/);
  });

  it('refuses a name when any of its addresses is internal', async () => {
    expect(await webhookUrlProblem('https://hooks.example.com/x', [], resolvesTo('93.184.215.14', '10.0.0.2'))).toMatch(
      /10\.0\.0\.2/,
    );
  });

  it('accepts a public address, and an internal one only when the allow-list names the host', async () => {
    expect(await webhookUrlProblem('https://hooks.example.com/x', [], resolvesTo('93.184.215.14'))).toBeNull();
    expect(await webhookUrlProblem('http://127.0.0.1:9000/x', ['127.0.0.1'])).toBeNull();
    expect(await webhookUrlProblem('http://LOCALHOST:9000/x', ['localhost'])).toBeNull();
  });

  it('refuses what is not http(s) or does not resolve', async () => {
    expect(await webhookUrlProblem('file:///etc/passwd', [])).toBe('must be http or https');
    expect(
      await webhookUrlProblem('https://nowhere.invalid/x', [], async () => Promise.reject(new Error('ENOTFOUND'))),
    ).toMatch(/does not resolve/);
  });
});
