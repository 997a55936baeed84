import { statSync } from 'node:fs';
import { formatTable } from '../core/index.js';
import { curationCounts } from './curation-store.js';
import type { WitDb } from './open.js';
import { countSourceFiles } from './source-files.js';

export interface HostFailures {
  host: string;
  failures: number;
  /** Error reason -> count, pages and images together. */
  errors: Record<string, number>;
}

export interface DbStats {
  file: string;
  sizeBytes: number;
  schemaVersion: number;
  rows: Record<string, number>;
  /** Table -> state -> rows. */
  states: Record<string, Record<string, number>>;
  queries: { done: number; left: number };
  topQueries: Array<{ id: number; text: string; origin: string; pairs: number; state: string }>;
  failingHosts: HostFailures[];
  imageFailures: Record<string, number>;
  /** Pairs per curation decision and reason (null for kept pairs), most first. */
  curation: Array<{ decision: string; reason: string | null; pairs: number }>;
  /** Web archives and URL lists (`source_files`) by kind and state. */
  sourceFiles: ReturnType<typeof countSourceFiles>;
}

const tables = ['queries', 'pages', 'pairs', 'images', 'curation', 'source_files', 'robots', 'meta'] as const;
const stateTables = ['queries', 'pages', 'images'] as const;

/** The numbers a person wants first from a crawl db, in one read transaction. */
export function collectStats(db: WitDb, file: string): DbStats {
  return db.transaction(() => ({
    file,
    sizeBytes: fileSize(file) + fileSize(`${file}-wal`),
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    rows: Object.fromEntries(tables.map((table) => [table, count(db, `SELECT count(*) FROM ${table}`)])),
    states: Object.fromEntries(stateTables.map((table) => [table, groupCounts(db, `SELECT state, count(*) FROM ${table} GROUP BY state`)])),
    queries: {
      done: count(db, "SELECT count(*) FROM queries WHERE state = 'done'"),
      left: count(db, "SELECT count(*) FROM queries WHERE state IN ('pending', 'running')"),
    },
    topQueries: db
      .prepare('SELECT id, text, origin, pair_count AS pairs, state FROM queries ORDER BY pair_count DESC, id LIMIT 20')
      .all() as DbStats['topQueries'],
    failingHosts: failingHosts(db),
    imageFailures: groupCounts(db, "SELECT coalesce(error, 'unknown'), count(*) FROM images WHERE state = 'failed' GROUP BY 1"),
    curation: curationCounts(db),
    sourceFiles: countSourceFiles(db),
  }))();
}

function failingHosts(db: WitDb): HostFailures[] {
  const rows = db
    .prepare(
      `WITH failures AS (
         SELECT host, coalesce(error, 'unknown') AS error FROM pages WHERE state = 'failed'
         UNION ALL
         SELECT host, coalesce(error, 'unknown') FROM images WHERE state = 'failed'
       ),
       top_hosts AS (SELECT host, count(*) AS failures FROM failures GROUP BY host ORDER BY failures DESC, host LIMIT 20)
       SELECT t.host, t.failures, f.error, count(*) AS n
       FROM top_hosts t JOIN failures f USING (host)
       GROUP BY t.host, f.error
       ORDER BY t.failures DESC, t.host, n DESC`,
    )
    .all() as Array<{ host: string; failures: number; error: string; n: number }>;
  const byHost = new Map<string, HostFailures>();
  for (const row of rows) {
    const entry = byHost.get(row.host) ?? { host: row.host, failures: row.failures, errors: {} };
    entry.errors[row.error] = row.n;
    byHost.set(row.host, entry);
  }
  return [...byHost.values()];
}

function count(db: WitDb, sql: string): number {
  return db.prepare(sql).pluck().get() as number;
}

function groupCounts(db: WitDb, sql: string): Record<string, number> {
  const rows = db.prepare(sql).raw().all() as Array<[string, number]>;
  return Object.fromEntries(rows);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The stats as a few short plain-text sections. */
export function formatStats(stats: DbStats): string {
  const out: string[] = [];
  out.push(`${stats.file}  (${(stats.sizeBytes / 1e6).toFixed(1)} MB, schema v${stats.schemaVersion})`, '');
  out.push(
    formatTable(
      ['table', 'rows'],
      Object.entries(stats.rows).map(([table, rows]) => ({ table, rows })),
    ),
    '',
  );
  const stateRows = Object.entries(stats.states).flatMap(([table, states]) =>
    Object.entries(states).map(([state, rows]) => ({ table, state, rows })),
  );
  if (stateRows.length > 0) out.push(formatTable(['table', 'state', 'rows'], stateRows), '');
  if (stats.sourceFiles.length > 0)
    out.push('source files (warc: web archives, list: URL lists)', formatTable(['kind', 'state', 'files', 'pairs'], stats.sourceFiles), '');
  out.push(`queries: ${stats.queries.done} done, ${stats.queries.left} left`, '');
  if (stats.topQueries.length > 0) {
    out.push('top queries by pairs', formatTable(['id', 'text', 'origin', 'pairs', 'state'], stats.topQueries), '');
  }
  if (stats.failingHosts.length > 0) {
    const rows = stats.failingHosts.map((host) => ({ ...host, errors: topReasons(host.errors) }));
    out.push('hosts with most failures', formatTable(['host', 'failures', 'errors'], rows), '');
  }
  const imageStates = stats.states.images ?? {};
  out.push(`images: ${imageStates.ok ?? 0} ok, ${imageStates.failed ?? 0} failed, ${imageStates.pending ?? 0} pending`);
  if (Object.keys(stats.imageFailures).length > 0) out.push(`  failed by reason: ${topReasons(stats.imageFailures)}`);
  if (stats.curation.length > 0) {
    out.push(
      '',
      `curation: ${stats.curation.map(({ decision, reason, pairs }) => `${decision}${reason === null ? '' : ` ${reason}`} ${pairs}`).join(', ')}`,
    );
  }
  return out.join('\n');
}

function topReasons(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}
