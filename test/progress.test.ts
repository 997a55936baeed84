import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressLine, ReasonCounter } from '../core/index.js';
import { formatProgress } from '../core/progress.js';

function pipedStream(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progress line', () => {
  it('shows counts, rate, percentage and ETA', () => {
    const line = formatProgress({ label: 'fetch', unit: 'images' }, { done: 500, total: 2000, counts: { failed: 3 } }, 10);
    expect(line).toBe('fetch: 500/2,000 images (25.0%) | 50 images/s | failed 3 | ETA 30s | elapsed 10s');
  });

  it('shows bytes in a readable unit and slow rates with two significant digits', () => {
    const read = formatProgress({ label: 'queries import', unit: 'bytes' }, { done: 1234, total: 1234 }, 2);
    expect(read).toBe('queries import: 1.23 kB/1.23 kB (100.0%) | 617 B/s | elapsed 2s');
    const fetched = formatProgress({ label: 'fetch', unit: 'images' }, { done: 3, total: 30, rates: { MB: 0.042 }, counts: { ok: 3 } }, 4);
    expect(fetched).toBe('fetch: 3/30 images (10.0%) | 0.75 images/s | 0.042 MB/s | ok 3 | ETA 36s | elapsed 4s');
  });

  it('writes plain lines when piped, and the final state once', () => {
    const { stream, lines } = pipedStream();
    const progress = new ProgressLine({ label: 'shards', unit: 'pairs', stream, pipedIntervalMillis: 60_000 });
    progress.update({ done: 1, total: 3 });
    progress.update({ done: 2, total: 3 });
    progress.finish();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^shards: 1\/3 pairs/);
    expect(lines[1]).toMatch(/^shards: 2\/3 pairs/);
    expect(lines.join('\n')).not.toContain('\r');
  });

  it('ends at the last state of a counter the stage keeps changing, and prints the same figures only once', () => {
    const { stream, lines } = pipedStream();
    const write = new ProgressLine({ label: 'shards write', unit: 'samples', stream, pipedIntervalMillis: 60_000 });
    const counter = { done: 1000, total: 1353 };
    write.update(counter);
    counter.done = 1353;
    write.update(counter);
    write.finish();
    expect(lines.map((line) => line.split(' | ')[0])).toEqual([
      'shards write: 1,000/1,353 samples (73.9%)',
      'shards write: 1,353/1,353 samples (100.0%)',
    ]);
    lines.length = 0;
    const balance = new ProgressLine({ label: 'shards balance', unit: 'pairs', stream, pipedIntervalMillis: 60_000 });
    balance.update({ done: 2755, total: 2755 });
    balance.update({ done: 2755, total: 2755 });
    balance.finish();
    expect(lines).toHaveLength(1);
  });
});

describe('reason counter', () => {
  it('keeps the top reasons and folds reasons past its cap into other', () => {
    const counter = new ReasonCounter(2);
    counter.add('http_404', 5);
    counter.add('timeout', 2);
    counter.add('decode_error');
    counter.add('not_image');
    expect(counter.top(2)).toEqual([
      ['http_404', 5],
      ['other', 2],
    ]);
    expect(counter.total).toBe(9);
  });
});
