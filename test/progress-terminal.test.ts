import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCrawlDb } from './fixtures/crawl-db.js';
import { loopbackCrawlArgs, searchSource } from './fixtures/crawl-run.js';
import { startOpenmojiSite, type OpenmojiSite } from './fixtures/openmoji-site.js';
import { ptyAvailable, runWitInTerminal, terminalRows } from './fixtures/pty-run.js';
import { tempDir } from './fixtures/temp-dir.js';
import { openmojiShards } from './fixtures/train-shards.js';
import { tinyModelArgs } from './fixtures/train-args.js';

if (!ptyAvailable) console.warn('SKIPPED progress-terminal tests: /usr/bin/python3 (for its pty module) is missing');

const dir = tempDir();
let site: OpenmojiSite;

beforeAll(async () => {
  // A slow search, so that the crawl lasts long enough for the line to be redrawn several times.
  site = await startOpenmojiSite({ searchDelayMillis: 150 });
});
afterAll(() => site.close());

/**
 * Every draw of the progress line labelled `label`. Drawn in place: only its
 * last draw ends a row (a message may overwrite it and end the row itself,
 * the line then redrawn below).
 */
function progressDraws(output: string, label: string): string[] {
  const rows = terminalRows(output);
  const left = rows.filter((row) => row.draws.at(-1)?.startsWith(label));
  expect(left, output).toHaveLength(1);
  expect(left[0]!.redrawn).toBe(true);
  return rows.flatMap((row) => row.draws.filter((drawn) => drawn.startsWith(label)));
}

describe.skipIf(!ptyAvailable)('progress on a real terminal', () => {
  for (const columns of [80, 200]) {
    it(`crawl --fetch at ${columns} columns: one row redrawn in place, never wider than the terminal`, async () => {
      const db = join(dir, `crawl-${columns}.db`);
      makeCrawlDb(db, ['cat', 'heart', 'star', 'moon']).close();
      const args = [...loopbackCrawlArgs(db, searchSource(site.url, 5))];
      const result = await runWitInTerminal([...args, '--fetch', '--images', join(dir, `images-${columns}`)], columns);
      expect(result.status, result.output).toBe(0);

      const draws = progressDraws(result.output, 'crawl: ');
      expect(draws.length).toBeGreaterThan(1);
      for (const drawn of draws) expect(drawn.length, drawn).toBeLessThan(columns);
      const last = draws.at(-1)!;
      // The fetch rounds' counts sit on the crawl's line (the fixture's SVGs are refused without --allow-svg).
      expect(last).toMatch(/^crawl: \d+ pages \| [\d.]+ pages\/s \| .*pairs \d+ \| images ok 0 \| images failed [1-9]/);
      // The stated order: elapsed goes first on a narrow terminal, then the pairs/s rate.
      if (columns === 200) expect(last).toMatch(/ pairs\/s \| .*\| elapsed \d+s$/);
      else expect(last).not.toMatch(/elapsed|pairs\/s/);
    });
  }

  it('train at 80 columns: every step on one row, cut to the width', async () => {
    const shards = await openmojiShards({ trainCount: 128, valCount: 32, shardSize: 64, pixels: 16 });
    const model = tinyModelArgs('8', 16);
    const result = await runWitInTerminal(
      ['train', '--shards', shards, '--out', join(dir, 'run'), ...model, '--steps', '6', '--log-every', '1'],
      80,
    );
    expect(result.status, result.output).toBe(0);
    const draws = progressDraws(result.output, 'train: ');
    expect(draws.length).toBeGreaterThan(1);
    expect(draws.at(-1)).toMatch(/^train: step 6\/6 \| .*loss \d/);
    for (const drawn of draws) expect(drawn.length, drawn).toBeLessThan(80);
  });
});
