import { Connection, type ConnectionOptions } from '@temporalio/client';
import net from 'node:net';
import tls from 'node:tls';

/*
 * Reaching Temporal: waiting for it as a process starts, and naming what stands in the way. The settings
 * are read in lib/temporal-env.ts, which loads no Temporal client (every CLI command reads them).
 */

/** Why a connection attempt failed, for the one line a process prints before it stops. */
export type TemporalTrouble = 'unreachable' | 'tls' | 'credentials' | 'namespace';

export function classifyTemporalError(err: unknown): TemporalTrouble {
  const e = grpcCause(err) as { code?: number; message?: string; details?: string };
  const text = `${e?.message ?? ''} ${e?.details ?? ''}`;
  if (e?.code === 16 || e?.code === 7 || /unauthenticated|permission denied|unauthorized/i.test(text))
    return 'credentials';
  if (e?.code === 5 || /namespace .*not found/i.test(text)) return 'namespace';
  if (/certificate|handshake|tls|ssl|UnknownIssuer|alert|wrong version number/i.test(text)) return 'tls';
  return 'unreachable';
}

const TROUBLE: Record<Exclude<TemporalTrouble, 'unreachable'>, string> = {
  tls: 'refused the TLS handshake (check TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME and the client certificate)',
  credentials: 'refused our credentials (check TEMPORAL_API_KEY or the client certificate)',
  namespace: 'has no such namespace (check TEMPORAL_NAMESPACE)',
};

/**
 * At start: resolves once Temporal answers for the namespace. A server that is still starting is
 * waited for (up to TEMPORAL_CONNECT_TIMEOUT); a wrong CA, a refused key or an unknown namespace will
 * not get better by waiting, and stops the process at once with one line saying which.
 */
export async function waitForTemporal(
  options: ConnectionOptions & { address: string },
  namespace: string,
  timeoutMs: number,
  log: { info(obj: object, msg: string): void },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3_000)) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({
        ...options,
        connectTimeout: Math.max(1_000, Math.min(10_000, deadline - Date.now())),
      });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      const trouble = classifyTemporalError(err);
      if (trouble !== 'unreachable')
        throw new Error(`Temporal at ${options.address} ${TROUBLE[trouble]}: ${oneLine(err)}`, { cause: err });
      // gRPC reports a refused handshake as "failed to connect", like a server that is down: ask TLS itself.
      const refused = await tlsRefusal(options);
      if (refused) throw new Error(`Temporal at ${options.address} ${TROUBLE.tls}: ${refused}`, { cause: err });
      if (Date.now() + delay > deadline) {
        throw new Error(
          `Temporal at ${options.address} did not answer within ${Math.round(timeoutMs / 1000)} s (TEMPORAL_ADDRESS, TEMPORAL_CONNECT_TIMEOUT): ${oneLine(err)}`,
          {
            cause: err,
          },
        );
      }
      log.info({ address: options.address, retryInMs: delay }, 'waiting for Temporal');
      await new Promise((resolve) => setTimeout(resolve, delay));
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

/**
 * Why the frontend refuses our TLS, if it does: with TLS configured, a handshake with our CA and
 * client pair (TLS 1.3 servers send their alert, e.g. "unknown ca" or "certificate required", just
 * after it); without, whether the server speaks TLS at all. Undefined when nothing answers.
 */
async function tlsRefusal(options: ConnectionOptions & { address: string }): Promise<string | undefined> {
  const [host, port] = splitAddress(options.address);
  const configured =
    typeof options.tls === 'object' && options.tls !== null ? options.tls : options.tls ? {} : undefined;
  const outcome = await new Promise<string>((resolve) => {
    const socket = tls.connect({
      host,
      port,
      servername: configured?.serverNameOverride ?? (net.isIP(host) ? undefined : host),
      ca: pem(configured?.serverRootCACertificate),
      cert: pem(configured?.clientCertPair?.crt),
      key: pem(configured?.clientCertPair?.key),
      rejectUnauthorized: configured !== undefined,
      ALPNProtocols: ['h2'],
    });
    const timer = setTimeout(() => socket.destroy(), 3_000);
    let result = 'no answer';
    // The HTTP/2 preface: a server that accepted the certificate answers it; one that did not sends its alert.
    socket.once('secureConnect', () => {
      result = configured
        ? 'accepted'
        : 'the server requires TLS: set TEMPORAL_TLS_SERVER_CA_CERT_PATH (and a client pair) or TEMPORAL_TLS=true';
      socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    });
    socket.once('data', () => socket.destroy());
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (result === 'no answer' || configured) result = configured ? (err.code ?? err.message) : result;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(result);
    });
  });
  if (!configured) return outcome.startsWith('the server requires TLS') ? outcome : undefined;
  return ['accepted', 'no answer', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(outcome)
    ? undefined
    : outcome;
}

const pem = (data: Uint8Array | undefined) => (data ? Buffer.from(data) : undefined);

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}

/**
 * The gRPC error itself: Connection.connect calls GetSystemInfo and wraps what the server answers
 * (a refused token is PERMISSION_DENIED there already) in "Failed to connect to Temporal server",
 * with the answer as its cause.
 */
function grpcCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    const e = current as { code?: unknown; cause?: unknown } | undefined;
    if (!e || typeof e !== 'object' || typeof e.code === 'number' || !e.cause) return current;
    current = e.cause;
  }
  return current;
}

/** The first line of the error, and of the server's answer when the SDK wrapped it. */
function oneLine(err: unknown): string {
  const first = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0];
  const cause = grpcCause(err);
  return cause === err ? first(err) : `${first(err)}: ${first(cause)}`;
}
