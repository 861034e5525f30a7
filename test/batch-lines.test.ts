import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonlCheck, LineSplitter, LineTooLongError } from '@switchyard/files';
import { completionWindowS, lineJobId, parseBatchLine } from '@switchyard/jobs';

function split(pieces: Buffer[], max = 100): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(max, (text, number) => lines.push(`${number}:${text}`));
  for (const piece of pieces) splitter.push(piece);
  splitter.end();
  return lines;
}

describe('JSONL lines of a streamed file', () => {
  it('joins lines cut across pieces, even inside a multi-byte character, and drops the \\r of \\r\\n', () => {
    const bytes = Buffer.from('ab\r\nc€d\n\nlast', 'utf8');
    const euro = bytes.indexOf(0xe2);
    const pieces = [bytes.subarray(0, 3), bytes.subarray(3, euro + 1), bytes.subarray(euro + 1, euro + 2), bytes.subarray(euro + 2)];
    assert.deepEqual(split(pieces), ['1:ab', '2:c€d', '3:', '4:last']);
  });

  it('refuses a line longer than the limit, naming it, before holding more of it', () => {
    assert.throws(() => split([Buffer.from('ok\n'), Buffer.from('x'.repeat(60)), Buffer.from('x'.repeat(60))], 100), (error) => error instanceof LineTooLongError && error.line === 2);
  });

  it('finds the first line that is not a JSON object, counting blank lines in its number', () => {
    const check = new JsonlCheck(1000);
    check.push(Buffer.from('{"a":1}\n\n[1,2]\n{"b":'));
    check.push(Buffer.from('2}\n'));
    check.end();
    assert.deepEqual(check.problem, { line: 3, message: 'is not a JSON object' });
    const fine = new JsonlCheck(1000);
    fine.push(Buffer.from('{"a":1}\n\n{"b":2}'));
    fine.end();
    assert.equal(fine.problem, null);
    assert.equal(fine.lines, 2);
  });
});

describe('batch request lines', () => {
  const line = (fields: Record<string, unknown>) => JSON.stringify({ custom_id: 'c1', method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, ...fields });

  it('turns a valid line into the job command POST /v1/jobs would make', () => {
    const parsed = parseBatchLine(line({ body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], models: ['backup'], cache: false } }), 7, '/v1/chat/completions', 'team-a');
    assert.ok(parsed.ok);
    assert.equal(parsed.customId, 'c1');
    assert.deepEqual(parsed.command.request, { type: 'chat', model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(parsed.command.route, { fallbackModels: ['backup'] });
    assert.equal(parsed.command.cache, false);
    const embedding = parseBatchLine(JSON.stringify({ custom_id: 'e', method: 'POST', url: '/v1/embeddings', body: { model: 'e', input: 'x' } }), 1, '/v1/embeddings', 'team-a');
    assert.ok(embedding.ok);
    assert.equal(embedding.command.request.type, 'embedding');
  });

  it('refuses what OpenAI refuses, and the fields the batch decides, naming line and field', () => {
    const problems: Array<[string, string, string | null]> = [
      [line({ method: 'GET' }), 'invalid_method', 'method'],
      [line({ url: '/v1/embeddings' }), 'invalid_url', 'url'],
      [line({ custom_id: 42 }), 'invalid_custom_id', 'custom_id'],
      [line({ extra: 1 }), 'invalid_request', 'extra'],
      [line({ body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], priority: 1 } }), 'invalid_request', 'body.priority'],
      [line({ body: { model: 'm' } }), 'invalid_request', 'body.messages'],
      ['{"custom_id": ', 'invalid_json_line', null],
    ];
    for (const [text, code, param] of problems) {
      const parsed = parseBatchLine(text, 12, '/v1/chat/completions', 'team-a');
      assert.ok(!parsed.ok, text);
      assert.deepEqual([parsed.error.code, parsed.error.param, parsed.error.line], [code, param, 12], text);
      assert.match(parsed.error.message, /^Line 12: /);
    }
  });

  it('reads completion windows of any unit up to 30 days', () => {
    assert.equal(completionWindowS('24h'), 86_400);
    assert.equal(completionWindowS('90m'), 5_400);
    assert.equal(completionWindowS('7d'), 604_800);
    assert.equal(completionWindowS('600s'), 600);
    for (const bad of ['0s', '31d', '24', 'h']) assert.throws(() => completionWindowS(bad), /completion_window/);
  });

  it("derives each line's job id from its batch and line: the same every time, a valid job id, in the batch's time order", () => {
    const batch = 'batch_01J9Z3K5QW8E4R7T2Y6U1I0OPA'.replace(/[IOU]/g, '0');
    const first = lineJobId(batch, 0);
    assert.equal(lineJobId(batch, 0), first);
    assert.notEqual(lineJobId(batch, 1), first);
    assert.match(first, /^job_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(first.slice(4, 14), batch.slice(6, 16));
    assert.equal(new Set(Array.from({ length: 10_000 }, (_, i) => lineJobId(batch, i))).size, 10_000);
  });
});
