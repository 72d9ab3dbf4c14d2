import type { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Secrets } from '../lib/secrets';
import type { TokenService } from './auth';
import type { Limits } from './limits';

/** Set on SIGTERM: readiness then answers 503 so that load balancers stop sending new requests. */
export interface Lifecycle {
  draining: boolean;
}

/** What the HTTP layer is built from; one of each per process, made in the composition root. */
export interface ApiDeps {
  config: Config;
  pool: Pool;
  temporal: Client;
  /** A connection without retries, for readiness probes only. */
  temporalProbe: Connection;
  /** The payload codec of the Temporal client, served to the Web UI by /codec. */
  codec: PayloadCodec;
  secrets: Secrets;
  tokens: TokenService;
  limits: Limits;
  log: Logger;
  lifecycle: Lifecycle;
}
