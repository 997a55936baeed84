import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDb, type WitDb } from '../db/index.js';
import { resolveOptions, WitError, type GivenOptions } from '../core/index.js';
import { mergeOptions } from './options.js';
import { loadMatcher, type QueryMatcher } from '../queries/index.js';
import { CappedPairWriter, type PairCandidate, type StoreOutcome } from './pair-cap.js';

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
const stateRank = (column: string, order: readonly string[]) =>
  `CASE ${column} ${order.map((state, rank) => `WHEN '${state}' THEN ${rank}`).join(' ')} ELSE -1 END`;
const queryOrder = ['pending', 'running', 'failed', 'done'] as const;
const pageOrder = ['pending', 'failed', 'skipped', 'done'] as const;

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
      db.prepare('ATTACH DATABASE ? AS src').run(resolve(input));
      try {
        const counts = mergeOne(db, writer);
        options.onInput?.(input, counts);
        total.queries += counts.queries;
        total.pages += counts.pages;
        total.images += counts.images;
        for (const key of Object.keys(total.pairs) as Array<keyof StoreOutcome>) total.pairs[key] += counts.pairs[key];
      } finally {
        db.prepare('DETACH DATABASE src').run();
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
  const counts = db.transaction(() => ({ queries: mergeQueries(db), pages: mergePages(db), images: mergeImages(db) }))();
  mergeRobots(db);
  return { ...counts, pairs: mergePairs(db, writer) };
}

function mergeQueries(db: WitDb): number {
  return db
    .prepare(
      `INSERT INTO main.queries (text, origin, state, cursor, error, updated_at)
       SELECT text, origin, state, cursor, error, updated_at FROM src.queries WHERE true
       ON CONFLICT (text) DO UPDATE SET state = excluded.state, cursor = excluded.cursor, error = excluded.error, updated_at = excluded.updated_at
       WHERE ${stateRank('excluded.state', queryOrder)} > ${stateRank('queries.state', queryOrder)}`,
    )
    .run().changes;
}

function mergePages(db: WitDb): number {
  return db
    .prepare(
      `INSERT INTO main.pages (url, host, depth, state, http_status, error, attempts, next_try_at, fetched_at)
       SELECT url, host, depth, state, http_status, error, attempts, next_try_at, fetched_at FROM src.pages WHERE true
       ON CONFLICT (url) DO UPDATE SET depth = min(pages.depth, excluded.depth), state = excluded.state, http_status = excluded.http_status,
         error = excluded.error, attempts = excluded.attempts, next_try_at = excluded.next_try_at, fetched_at = excluded.fetched_at
       WHERE ${stateRank('excluded.state', pageOrder)} > ${stateRank('pages.state', pageOrder)}`,
    )
    .run().changes;
}

function mergeRobots(db: WitDb): void {
  db.prepare(
    `INSERT INTO main.robots (host, http_status, body, fetched_at, expires_at)
     SELECT host, http_status, body, fetched_at, expires_at FROM src.robots WHERE true
     ON CONFLICT (host) DO UPDATE SET http_status = excluded.http_status, body = excluded.body,
       fetched_at = excluded.fetched_at, expires_at = excluded.expires_at
     WHERE excluded.fetched_at > robots.fetched_at`,
  ).run();
}

/** Image rows (whatever columns both dbs have): a fetched (`ok`) row wins over any other. */
function mergeImages(db: WitDb): number {
  const columnsOf = (schema: string) =>
    (db.prepare(`SELECT name FROM pragma_table_info('images', '${schema}')`).all() as Array<{ name: string }>).map((row) => row.name);
  const shared = columnsOf('src').filter((name) => name !== 'id' && columnsOf('main').includes(name));
  const list = shared.map((name) => `"${name}"`).join(', ');
  const updates = shared
    .filter((name) => name !== 'url')
    .map((name) => `"${name}" = excluded."${name}"`)
    .join(', ');
  return db
    .prepare(
      `INSERT INTO main.images (${list}) SELECT ${list} FROM src.images WHERE true
       ON CONFLICT (url) DO UPDATE SET ${updates} WHERE excluded.state = 'ok' AND images.state <> 'ok'`,
    )
    .run().changes;
}

interface SourcePair {
  id: number;
  image_url: string;
  text: string;
  text_origin: PairCandidate['textOrigin'];
  page_url: string | null;
  extra: string | null;
  created_at: string;
  /** Null for a pair kept with no query (`--keep-unmatched`): it stays so, outside the cap. */
  query: string | null;
}

/** The input's pairs in the order they were stored, a chunk per transaction, through the cap check. */
function mergePairs(db: WitDb, writer: CappedPairWriter): StoreOutcome {
  const queryIds = new Map<string, number>();
  for (const row of db.prepare('SELECT id, text FROM main.queries').all() as Array<{ id: number; text: string }>)
    queryIds.set(row.text, row.id);
  let matcher: QueryMatcher | undefined; // built the first time a pair's own query is full
  const otherMatches = (text: string, own: number) => (matcher ??= loadMatcher(db)).match(text).filter((id) => id !== own);
  const chunk = db.prepare(
    `SELECT p.id, p.image_url, p.text, p.text_origin, p.page_url, p.extra, p.created_at, q.text AS query
     FROM src.pairs p LEFT JOIN src.queries q ON q.id = p.query_id WHERE p.id > ? ORDER BY p.id LIMIT ?`,
  );
  const total: StoreOutcome = { stored: 0, duplicate: 0, overCap: 0, queriesFilled: 0 };
  for (let afterId = 0; ; ) {
    const rows = chunk.all(afterId, pairsPerTransaction) as SourcePair[];
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
