import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support';

/**
 * Runs last (the runner takes files in name order): every credential any test configures or sends
 * must be absent from every log line any gateway, worker or mock process wrote during the run.
 * `npm test` clears logs/test first, so only this run's logs are read.
 */
const CREDENTIAL = /\b(?:sk-[A-Za-z0-9_-]{12,}|whsec_[A-Za-z0-9+/]{24,}={0,2}|AKIA[A-Z0-9]{16})/g;

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('credentials in the logs of the whole test run', () => {
  it('appear in no log line of any process the tests started', () => {
    const credentials = new Set<string>();
    for (const file of filesUnder(join(repoRoot, 'dist', 'test'), '.js')) {
      for (const match of readFileSync(file, 'utf8').matchAll(CREDENTIAL)) credentials.add(match[0]);
    }
    const logs = filesUnder(join(repoRoot, 'logs', 'test'), '.log');
    assert.ok(credentials.size >= 10, `only ${credentials.size} credentials found in the tests`);
    assert.ok(logs.length >= 20, `only ${logs.length} log files: did the suite run first?`);
    const leaks: string[] = [];
    for (const log of logs) {
      const lines = readFileSync(log, 'utf8').split('\n');
      lines.forEach((line, index) => {
        for (const credential of credentials) if (line.includes(credential)) leaks.push(`${log}:${index + 1}: ${credential.slice(0, 10)}…`);
      });
    }
    assert.deepEqual(leaks, [], `credentials in logs:\n${leaks.slice(0, 20).join('\n')}`);
  });
});
