import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { attachInput, detachInput, inputPairChunks, mergeInputRows, openDb, queryIdsByText, type WitDb } from '../db/index.js';
import { resolveOptions, WitError, type GivenOptions } from '../core/index.js';
import { mergeOptions } from './options.js';
import { loadMatcher, type QueryMatcher } from '../queries/index.js';
import { CappedPairWriter, type StoreOutcome } from './pair-cap.js';

/** The cap (declared in options.ts, the crawl's own) and a hook. */
export interface MergeOptions extends GivenOptions<typeof mergeOptions.entries> {
  /** Called after each input with its name and what it gave. */
  onInput?: (input: string, merged: MergeCounts) => void;
}

export interface MergeCounts {
  queries: number;
  pages: number;
  images: number;
  pairs: StoreOutcome;
}

const pairsPerTransaction = 10_000;

/**
 * Combines partition dbs into `out` (created when missing): queries and pages
 * keep their most finished state, robots.txt answers the newest, images the
 * fetched row, and pairs go through the cap check again, in the order they were
 * found, so that `out` holds each (image URL, text) once and no query over `cap`.
 * A pair whose query is already full counts against another query its text
 * matches, as the site source would have assigned it, if one has room.
 * Curation rows are not merged: build shards from the merged db.
 */
export function mergeDbs(out: string, inputs: readonly string[], options: MergeOptions = {}): MergeCounts {
  checkInputs(out, inputs);
  const { cap } = resolveOptions(mergeOptions, options);
  const db = openDb(out);
  const total: MergeCounts = { queries: 0, pages: 0, images: 0, pairs: { stored: 0, duplicate: 0, overCap: 0, queriesFilled: 0 } };
  try {
    const writer = new CappedPairWriter(db, cap);
    for (const input of inputs) {
      openDb(input, { readonly: true }).close(); // refuses a missing, foreign or other-version file with a clear message
      attachInput(db, resolve(input));
      try {
        const counts = mergeOne(db, writer);
        options.onInput?.(input, counts);
        total.queries += counts.queries;
        total.pages += counts.pages;
        total.images += counts.images;
        for (const key of Object.keys(total.pairs) as Array<keyof StoreOutcome>) total.pairs[key] += counts.pairs[key];
      } finally {
        detachInput(db);
      }
    }
  } finally {
    db.close();
  }
  return total;
}

function checkInputs(out: string, inputs: readonly string[]): void {
  if (inputs.length === 0) throw new WitError('Name at least one input db: `wit db merge OUT.db IN.db...`.');
  for (const input of inputs) {
    if (!existsSync(input)) throw new WitError(`Input db ${input} does not exist; nothing was merged.`);
    if (resolve(input) === resolve(out)) throw new WitError(`${input} is both the output and an input; name a new output file.`);
  }
}

function mergeOne(db: WitDb, writer: CappedPairWriter): MergeCounts {
  return { ...mergeInputRows(db), pairs: mergePairs(db, writer) };
}

/** The input's pairs in the order they were stored, a chunk per transaction, through the cap check. */
function mergePairs(db: WitDb, writer: CappedPairWriter): StoreOutcome {
  const queryIds = queryIdsByText(db);
  let matcher: QueryMatcher | undefined; // built the first time a pair's own query is full
  const otherMatches = (text: string, own: number) => (matcher ??= loadMatcher(db)).match(text).filter((id) => id !== own);
  const chunk = inputPairChunks(db);
  const total: StoreOutcome = { stored: 0, duplicate: 0, overCap: 0, queriesFilled: 0 };
  for (let afterId = 0; ; ) {
    const rows = chunk(afterId, pairsPerTransaction);
    if (rows.length === 0) return total;
    afterId = rows[rows.length - 1]!.id;
    const outcome = writer.store(
      rows.map((row) => {
        const pair = {
          imageUrl: row.image_url,
          text: row.text,
          textOrigin: row.text_origin,
          pageUrl: row.page_url,
          extra: row.extra,
          createdAt: row.created_at,
        };
        if (row.query === null) return { pair, queryIds: [] };
        const own = queryIds.get(row.query)!;
        return { pair, queryIds: [own], fallbackQueryIds: () => otherMatches(row.text, own) };
      }),
    );
    for (const key of Object.keys(total) as Array<keyof StoreOutcome>) total[key] += outcome[key];
  }
}
