import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FileSource } from '../../../gate/sources/file-source';
import type { BatchOutcome, RawEvent } from '../../../gate/sources/source';

const dir = mkdtempSync(join(tmpdir(), 'vigil-file-source-'));

describe('FileSource', () => {
  it('delivers every non-blank line in order, in batches, and writes dead letters with the original line', async () => {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, ['{"a":1}', '', 'bad line', '{"a":2}', '   ', '{"a":3}', 'bad again', ''].join('\n'));
    const dlq = join(dir, 'out', 'dlq.jsonl');
    const batches: RawEvent[][] = [];
    const source = new FileSource({ path: input, deadLetterPath: dlq, batchSize: 2 });
    await source.run(async (events): Promise<BatchOutcome> => {
      batches.push([...events]);
      const bad = events.filter((e) => e.value?.toString().startsWith('bad'));
      return { deadLetters: bad.map((event) => ({ event, kind: 'not_json', reason: 'not JSON: nope', at: '2026-01-01T00:00:00.000Z' })) };
    });
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches.flat().map((e) => (e.origin.kind === 'file' ? e.origin.line : -1))).toEqual([1, 3, 4, 6, 7]);
    const letters = readFileSync(dlq, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters).toEqual([
      { time: '2026-01-01T00:00:00.000Z', kind: 'not_json', reason: 'not JSON: nope', source: { path: input, line: 3 }, value: 'bad line' },
      { time: '2026-01-01T00:00:00.000Z', kind: 'not_json', reason: 'not JSON: nope', source: { path: input, line: 7 }, value: 'bad again' },
    ]);
  });

  it('flushes a partial batch from a live stream after the linger time', async () => {
    const stream = new PassThrough();
    const seen: number[] = [];
    const source = new FileSource({ path: '-', deadLetterPath: join(dir, 'stdin.dlq.jsonl'), batchSize: 100, lingerMs: 10, stream });
    const done = source.run(async (events) => {
      seen.push(events.length);
      return { deadLetters: [] };
    });
    stream.write('{"a":1}\n{"a":2}\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([2]);
    stream.end('{"a":3}\n');
    await done;
    expect(seen).toEqual([2, 1]);
  });

  it('stops reading when the handler fails, and reports the failure', async () => {
    const input = join(dir, 'fail.jsonl');
    writeFileSync(input, Array.from({ length: 10 }, (_, i) => `{"i":${i}}`).join('\n'));
    let calls = 0;
    const source = new FileSource({ path: input, deadLetterPath: join(dir, 'fail.dlq.jsonl'), batchSize: 2 });
    await expect(
      source.run(async () => {
        calls += 1;
        throw new Error('Temporal gone');
      }),
    ).rejects.toThrow('Temporal gone');
    expect(calls).toBe(1);
  });

  it('reports a missing input file', async () => {
    const source = new FileSource({ path: join(dir, 'absent.jsonl'), deadLetterPath: join(dir, 'x.jsonl') });
    await expect(source.run(async () => ({ deadLetters: [] }))).rejects.toThrow(/ENOENT/);
  });
});
