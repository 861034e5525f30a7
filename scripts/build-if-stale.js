#!/usr/bin/env node
// `npm start` on a fresh clone must just work: compile when dist/ is missing or older than a source file.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.tsbuildinfo');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ['apps', 'libs', 'test', 'bench'].map((dir) => join(root, dir)).filter(existsSync);
const stale = !existsSync(stamp) || Math.max(...sources.map(newestSource)) > statSync(stamp).mtimeMs;
if (stale) {
  process.stderr.write('switchyard: compiling (dist/ is missing or out of date)...\n');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
