import { countQueries, iterateQueryTexts, type QueryOrigin, type WitDb } from '../db/index.js';
import type { ProgressSink } from '../core/index.js';
import { addUserQueries, QueryAdder } from './build.js';
import { textFileBytes } from './text-lines.js';

export interface ImportQueriesResult {
  /** Queries new to the table. */
  added: number;
  /** Non-blank lines read (queries already stored included). */
  candidates: number;
  total: number;
}

/**
 * Adds each line of a text file (plain or gzip) as a `user` query, normalized;
 * queries already stored keep their row untouched.
 */
export async function importQueries(db: WitDb, path: string, onProgress?: ProgressSink): Promise<ImportQueriesResult> {
  const role = 'Queries file';
  const totalBytes = textFileBytes(path, role);
  const adder = new QueryAdder(db, Infinity);
  await addUserQueries(adder, path, role, (bytes) => onProgress?.({ done: bytes, total: totalBytes }));
  return { added: adder.added.user, candidates: adder.candidates.user, total: countQueries(db) };
}

/** The stored query texts in id order, of one origin or all, in chunks of newline-terminated lines. */
export function* exportQueries(db: WitDb, origin?: QueryOrigin): Generator<string> {
  let lines: string[] = [];
  for (const query of iterateQueryTexts(db, origin)) {
    lines.push(query.text);
    if (lines.length === linesPerChunk) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}
const linesPerChunk = 10_000;
