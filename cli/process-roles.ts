/* eslint-disable @typescript-eslint/no-require-imports -- each process loads its own half only (below) */

/*
 * The API's and the worker's modules, loaded by the process that runs them, not by whatever imports this
 * file: `gangway worker` never loads express and the API's schemas, `gangway api` never the Temporal worker
 * and its native core, and `gangway approve` or `list` neither (each of them took a second of loading before
 * it began). The bench's app process loads its roles the same way.
 */
export const apiProcess = () => require('../api/start-api') as typeof import('../api/start-api');
export const workerProcess = () => require('../worker/start-worker') as typeof import('../worker/start-worker');
export const temporalRuntime = () =>
  require('../worker/temporal-runtime') as typeof import('../worker/temporal-runtime');
