import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';

/**
 * How every part of gangway reaches Temporal (worker, the API's client, readiness, the bench, the
 * tests): the settings the Temporal CLI reads, through @temporalio/envconfig — TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* (mTLS client pair, server CA, server name),
 * and TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE for a TOML profile.
 */
export type TemporalConnectionOptions = Pick<
  ClientConnectConfig['connectionOptions'],
  'address' | 'tls' | 'apiKey' | 'metadata'
>;

export const TEMPORAL_VARIABLES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
] as const;
/** TEMPORAL_GRPC_META_<HEADER>: a gRPC header sent with every call. */
export const TEMPORAL_VARIABLE_PREFIXES = ['TEMPORAL_GRPC_META_'] as const;

/** Reads the connection settings; a file that cannot be read is named by the variable that points at it. */
export function temporalConnectionFromEnv(env: Record<string, string | undefined>): {
  options: TemporalConnectionOptions;
  namespace?: string;
} {
  const given = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('TEMPORAL_') && typeof e[1] === 'string'),
  );
  try {
    const { connectionOptions, namespace } = loadClientConnectConfig({
      overrideEnvVars: given,
      configFileStrict: true,
    });
    const { address, tls, apiKey, metadata } = connectionOptions;
    return { options: { address, tls, apiKey, metadata }, namespace };
  } catch (err) {
    const message = (err as Error).message;
    const culprit = Object.entries(given).find(([, value]) => value && message.includes(value))?.[0];
    throw new Error(culprit ? `${culprit}: ${message}` : `Temporal connection settings: ${message}`, { cause: err });
  }
}
