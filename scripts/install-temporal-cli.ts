/**
 * Provisioning entry (CI, new machines): finds or builds the Temporal CLI (see findTemporalCli for
 * the order) and prints its path on stdout; progress goes to stderr. Exit code 1 with the reason
 * when there is none and none can be built.
 *
 *   node -r ./scripts/register-ts.js scripts/install-temporal-cli.ts   # from a checkout, no build
 *   node dist/scripts/install-temporal-cli.js                          # after npm run build
 */
import path from 'node:path';
import { createLogger } from '../lib/logger';
import { findTemporalCli } from '../infra/temporal-cli';

async function main(): Promise<void> {
  const log = createLogger({ name: 'install-temporal-cli', level: process.env.LOG_LEVEL ?? 'info' }, process.stderr);
  // scripts/ (source) or dist/scripts/ (compiled): the project root is the one holding package.json.
  const projectRoot = path.resolve(__dirname, '..', __dirname.includes(`${path.sep}dist${path.sep}`) ? '..' : '.');
  const cliPath = await findTemporalCli({ projectRoot, log });
  process.stdout.write(`${cliPath}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`install-temporal-cli: ${err.message}\n`);
  process.exitCode = 1;
});
