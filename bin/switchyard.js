#!/usr/bin/env node
// The `switchyard` command: runs the compiled CLI, compiling first when dist/ is missing or stale
// (as `npm start` does), so `npx switchyard` works from a fresh clone after `npm install`.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

// The compiler's output goes to stderr: stdout belongs to the command (--json, results).
const build = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-if-stale.js')], { stdio: ['ignore', 2, 2] });
if (build.status !== 0) {
  process.stderr.write('switchyard: compiling the CLI failed (see above); fix the build or run `npm run build`\n');
  process.exit(1);
}
require('../dist/apps/cli/src/main.js');
