#!/usr/bin/env node
// The `switchyard` command: runs the compiled CLI (npm run build makes dist/).
require('../dist/apps/cli/src/main.js');
