import { createServer, type Server } from 'node:http';

/**
 * A worker's own probes, on WORKER_HEALTH_PORT: liveness says the process answers; readiness says
 * the worker polls its task queue and is not draining (on SIGTERM it answers 503 while in-flight
 * activities finish).
 */
export function startHealthServer(options: {
  host: string;
  port: number;
  isReady: () => boolean;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/healthz') return send(200, { status: 'ok' });
    if (req.url === '/readyz')
      return options.isReady() ? send(200, { status: 'ready' }) : send(503, { status: 'not ready' });
    send(404, { status: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolve({
        url: `http://${options.host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
