import http from 'node:http';

/**
 * A portal client's portal as the contract describes it, for tests, the demo and the bench: POST
 * /login accepts exactly one credential, refuses others with 401, and can be switched to 503 to play
 * an outage.
 */
export interface PortalStub {
  url: string;
  logins: { username: string; password: string }[];
  setUnavailable(unavailable: boolean): void;
  /** The portal's password changes: the credential accepted until now is refused from here on. */
  accept(credential: { username: string; password: string }): void;
  close(): Promise<void>;
}

export async function startPortalStub(accepted: { username: string; password: string }): Promise<PortalStub> {
  const logins: PortalStub['logins'] = [];
  let unavailable = false;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/login') {
      res.writeHead(404).end();
      return;
    }
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { username: string; password: string };
      logins.push(body);
      if (unavailable) return res.writeHead(503).end('maintenance');
      const ok = body.username === accepted.username && body.password === accepted.password;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    logins,
    setUnavailable: (value) => (unavailable = value),
    accept: (credential) => (accepted = credential),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
