import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import {
  checkedLookup,
  createEgressFetch,
  egressProblem,
  isEgressRefusal,
  isRefusedAddress,
  type Lookup,
} from '../../lib/egress';

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address }));

describe('egress guard', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '0.0.0.0',
    '10.0.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '172.20.1.1',
    '192.168.1.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.1.2.3',
    '::7f00:1',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b::169.254.169.254',
    '64:ff9b:1::1',
    '2002:7f00:1::',
    '2002:a00:1::1',
    '2001::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
  ])('refuses %s', (address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '2606:2800:220:1::1',
    '::ffff:93.184.215.14',
    '64:ff9b::808:808',
    '2002:808:808::',
  ])('lets %s through', (address) => {
    expect(isRefusedAddress(address)).toBe(false);
  });

  it.each([
    ['http://127.0.0.1:9/', /internal address/],
    ['http://portal.example/', /must be https/],
    ['https://127.0.0.1:9/', /internal address/],
    ['https://2130706433/', /internal address/], // 127.0.0.1 written as one number
    ['https://0x7f.1/', /internal address/],
    ['https://[::ffff:127.0.0.1]/', /internal address/],
    ['https://[64:ff9b::7f00:1]/', /internal address/],
    ['https://[2002:7f00:1::]/', /internal address/],
    ['https://[::7f00:1]/', /internal address/],
    ['https://user:pw@portal.example/', /credentials/],
    ['file:///etc/passwd', /must be https/],
    ['not a url', /not a URL/],
  ])('finds %s unfit', async (url, problem) => {
    expect(await egressProblem(url, { allowedHosts: [], lookup: resolvesTo('93.184.215.14') })).toMatch(problem);
  });

  it('refuses a name when any of its addresses is internal, and one that does not resolve', async () => {
    const lookup = resolvesTo('93.184.215.14', '10.0.0.2');
    expect(await egressProblem('https://hooks.example.com/x', { allowedHosts: [], lookup })).toMatch(/10\.0\.0\.2/);
    const nowhere: Lookup = () => Promise.reject(new Error('ENOTFOUND'));
    expect(await egressProblem('https://nowhere.invalid/', { allowedHosts: [], lookup: nowhere })).toMatch(
      /does not resolve/,
    );
  });

  it('accepts a public name, and http or an internal address only for a host EGRESS_ALLOWED_HOSTS names', async () => {
    const lookup = resolvesTo('93.184.215.14');
    expect(await egressProblem('https://hooks.example.com/x', { allowedHosts: [], lookup })).toBeNull();
    expect(await egressProblem('http://127.0.0.1:9000/x', { allowedHosts: ['127.0.0.1'] })).toBeNull();
    expect(await egressProblem('http://LOCALHOST:9000/x', { allowedHosts: ['localhost'] })).toBeNull();
    expect(await egressProblem('http://hooks.example.com/x', { allowedHosts: [], lookup })).toMatch(/https/);
  });

  describe('at connection time', () => {
    let server: Server;
    let port: number;
    const requests: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        requests.push(req.url!);
        if (req.url === '/redirect') res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
        else res.writeHead(200).end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('DNS rebinding: a name that answered public when checked answers private when connecting, and is refused', async () => {
      const answers = ['93.184.215.14', '127.0.0.1'];
      let asked = 0;
      const rebinding: Lookup = async () => [{ address: answers[Math.min(asked++, 1)] }];
      const options = { allowedHosts: [], lookup: rebinding };
      expect(await egressProblem(`https://rebind.example:${port}/`, options)).toBeNull();
      const call = createEgressFetch(options)(`https://rebind.example:${port}/login`, { method: 'POST' });
      const err = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEgressRefusal(err)).toBe(true);
      expect(requests).toEqual([]);
    });

    it('pins the socket to the address it checked: one resolution, the checked answer', async () => {
      const answers = ['127.0.0.1', '10.9.9.9'];
      let asked = 0;
      const lookup: Lookup = async () => [{ address: answers[asked++] }];
      // The host is allowed here only so that the socket may reach this test's loopback server.
      const pinned = checkedLookup({ allowedHosts: ['pinned.example'], lookup });
      const socket = connect({ host: 'pinned.example', port, lookup: pinned });
      const connectedTo = await new Promise<string>((resolve, reject) => {
        socket.once('connect', () => resolve(socket.remoteAddress!));
        socket.once('error', reject);
      });
      socket.destroy();
      expect(connectedTo).toBe('127.0.0.1');
      expect(asked).toBe(1);
    });

    it('calls an allowed host over http, and never follows a redirect', async () => {
      const egressFetch = createEgressFetch({ allowedHosts: ['127.0.0.1'] });
      expect((await egressFetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200);
      const redirected = await egressFetch(`http://127.0.0.1:${port}/redirect`);
      expect(redirected.status).toBe(302);
      expect(requests).toEqual(['/ok', '/redirect']);
    });

    it('refuses before any connection what the URL already shows', async () => {
      const egressFetch = createEgressFetch({ allowedHosts: [] });
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `https://127.0.0.1:${port}/`,
        `https://[::ffff:127.0.0.1]:${port}/`,
      ]) {
        const err = await egressFetch(url).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isEgressRefusal(err)).toBe(true);
      }
      expect(requests).toEqual(['/ok', '/redirect']);
    });
  });
});
