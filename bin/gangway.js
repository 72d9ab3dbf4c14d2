#!/usr/bin/env node
'use strict';
// The gangway CLI's entry point: it runs the compiled CLI in dist/ (built by `npm run build`).
const fs = require('node:fs');
const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(
    `gangway: the CLI is not built yet (no ${path.relative(process.cwd(), entry) || entry}); run \`npm run build\` in ${path.join(__dirname, '..')} first\n`,
  );
  process.exitCode = 2;
} else {
  // Traces, when OTEL_EXPORTER_OTLP_ENDPOINT asks for them, start before anything loads http, express or pg:
  // the instrumentations can only patch what is loaded after them.
  const role = process.argv[2];
  if (role === 'api' || role === 'worker')
    require(path.join(__dirname, '..', 'dist', 'lib', 'tracing.js')).traceProcessIfAsked(
      `gangway-${role}`,
      process.env,
    );
  require(entry)
    .run(process.argv.slice(2), {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      signals: process,
    })
    .then(
      (code) => {
        process.exitCode = code;
        // The api and worker commands return once stopped; whatever timers the SDK left must not keep us.
        if (process.argv[2] === 'api' || process.argv[2] === 'worker') process.exit(code);
      },
      (err) => {
        process.stderr.write(`gangway: ${err && err.message ? err.message : String(err)}\n`);
        process.exitCode = 2;
      },
    );
}
