import { countQueries, insertNewQueries, queryOrigins, writeMeta, type QueryOrigin, type WitDb } from '../db/index.js';
import { resolveOptions, WitError, type GivenOptions, type ProgressSink, type ResolvedOptions } from '../core/index.js';
import { countCorpora, frequentUnigrams, highPmiBigrams, type CorpusCounts } from './corpus-counts.js';
import { normalizeText } from './normalize.js';
import { buildQueriesOptions } from './options.js';
import { readTextLines, textFileBytes } from './text-lines.js';
import { readTitles } from './titles.js';
import { readWordnetLemmas } from './wordnet.js';

/** The build's options (declared in options.ts, the stage's own) and a hook. */
export interface BuildQueriesOptions extends GivenOptions<typeof buildQueriesOptions.entries> {
  /** Progress in bytes of input read, over all input files. */
  onProgress?: ProgressSink;
}

type ResolvedBuild = ResolvedOptions<typeof buildQueriesOptions.entries>;

export interface BuildQueriesResult {
  /** Candidates each source proposed (before dedupe against the table). */
  candidates: Record<QueryOrigin, number>;
  /** Rows added per origin by this run. */
  added: Record<QueryOrigin, number>;
  /** Rows in the table after the run. */
  total: number;
  /** True when the table reached `limit`: later candidates were left out. */
  limitReached: boolean;
  /** Title lines that were not `title<TAB>views`. */
  malformedTitleLines: number;
  corpus?: {
    bytes: number;
    lines: number;
    tokens: number;
    trackedUnigrams: number;
    trackedBigrams: number;
    /** Stored counts may be low by at most this many (0: counts are exact). */
    undercountBound: number;
  };
}

const batchSize = 10_000;

/**
 * Checks that every input file of a build exists and is text, naming the first
 * that is not; `buildQueries` does it too, but a caller can do it before it
 * creates a db.
 */
export async function checkBuildInputs(options: BuildQueriesOptions): Promise<void> {
  await probeInputs(buildInputs(options));
}

async function probeInputs(inputs: ReadonlyArray<{ path: string; role: string }>): Promise<void> {
  for (const input of inputs) await probeTextFile(input.path, input.role);
}

function buildInputs(
  options: Pick<BuildQueriesOptions, 'corpusPaths' | 'titlesPath' | 'extraPaths'>,
): Array<{ path: string; role: string }> {
  return [
    ...(options.corpusPaths ?? []).map((path) => ({ path, role: 'Corpus file' })),
    ...(options.titlesPath ? [{ path: options.titlesPath, role: 'Titles file' }] : []),
    ...(options.extraPaths ?? []).map((path) => ({ path, role: 'Extra queries file' })),
  ];
}

/**
 * Builds CLIP's query list from the sources given, in origin order unigram,
 * bigram, title, wordnet, user: a query keeps the first origin that produced
 * it. Re-running adds only queries not stored yet and never touches existing
 * rows (their origin, pair_count, state and cursor stay as they are). Every
 * input file is checked (exists, is text) before any long work starts.
 *
 * Memory does not grow with the input. Corpora are streamed (1 MiB reads, at
 * most 1 Mi characters of an unfinished line) and counted in two capped
 * tables: at most `maxTrackedUnigrams` words in a map (about 100 bytes a
 * word) and `maxTrackedBigrams` bigrams as pairs of word ids in a typed-array
 * hash table (12-byte slots, at most 16 Mi slots for the default 12M). The
 * defaults hold about 200 MB + 200 MB at most, whatever the corpus size, 10 GB
 * or 100 GB. When a table is full its rarest entries are pruned (`WordCounter`,
 * `PairCounter`); the run's summary says by how much counts may be low as a
 * result. Titles and user files go to the db in batches of 10,000 lines.
 */
export async function buildQueries(db: WitDb, given: BuildQueriesOptions): Promise<BuildQueriesResult> {
  const options = resolveOptions(buildQueriesOptions, given);
  const inputs = buildInputs(options);
  await probeInputs(inputs);
  const progress = new InputProgress(
    inputs.reduce((sum, input) => sum + textFileBytes(input.path, input.role), 0),
    given.onProgress,
  );
  const adder = new QueryAdder(db, options.limit ?? Infinity);
  const result: BuildQueriesResult = {
    candidates: adder.candidates,
    added: adder.added,
    total: 0,
    limitReached: false,
    malformedTitleLines: 0,
  };

  if (options.corpusPaths.length > 0 && adder.hasRoom()) {
    const counts = await countCorpora(options.corpusPaths, {
      maxTrackedUnigrams: options.maxTrackedUnigrams,
      maxTrackedBigrams: options.maxTrackedBigrams,
      onBytesRead: (bytes) => progress.report(bytes),
    });
    progress.finishFile(counts.bytes);
    addCorpusQueries(adder, counts, options);
    result.corpus = corpusSummary(counts);
  }
  if (options.titlesPath && adder.hasRoom()) {
    result.malformedTitleLines = await addTitleQueries(adder, options.titlesPath, options.minViews, progress);
  }
  if (options.wordnet && adder.hasRoom()) adder.add('wordnet', readWordnetLemmas());
  for (const path of options.extraPaths) {
    if (!adder.hasRoom()) break;
    await addUserQueries(adder, path, 'Extra queries file', (bytes) => progress.report(bytes));
    progress.finishFile(textFileBytes(path, 'Extra queries file'));
  }

  result.total = countQueries(db);
  result.limitReached = adder.limitReached;
  writeMeta(db, 'queries.build', { finishedAt: new Date().toISOString(), options, result });
  return result;
}

/** Adds the titles with enough views; returns the number of malformed lines. */
async function addTitleQueries(adder: QueryAdder, path: string, minViews: number, progress: InputProgress): Promise<number> {
  let malformed = 0;
  for await (const batch of readTitles(path, minViews, (bytes) => progress.report(bytes))) {
    malformed += batch.malformed;
    adder.add('title', batch.titles);
  }
  progress.finishFile(textFileBytes(path, 'Titles file'));
  return malformed;
}

/** Characters a line of a user query file may hold: a query is a word, a phrase or a title, not a document. */
export const maxUserQueryChars = 1000;

/**
 * Adds the lines of a file as `user` queries (normalized; blank ones skipped).
 * The whole file is checked first, so that a bad file adds nothing.
 */
export async function addUserQueries(adder: QueryAdder, path: string, role: string, onBytesRead?: (bytes: number) => void): Promise<void> {
  await checkUserQueryFile(path, role);
  for await (const lines of readTextLines(path, { role, onBytesRead })) {
    const texts: string[] = [];
    for (const line of lines) {
      const text = normalizeText(line);
      if (text) texts.push(text);
    }
    adder.add('user', texts);
  }
}

/**
 * Refuses a file that is not UTF-8 text of short lines, naming the first bad
 * line: the decoder turns bytes that are no UTF-8 into U+FFFD, so one of
 * those marks a binary or wrongly encoded file (a 20 MB line of bytes would
 * otherwise become a few "queries" of a million characters each).
 */
async function checkUserQueryFile(path: string, role: string): Promise<void> {
  let lineNumber = 0;
  for await (const lines of readTextLines(path, { role })) {
    for (const line of lines) {
      lineNumber += 1;
      if (line.includes('\uFFFD')) {
        throw new WitError(
          `${role} ${path}, line ${lineNumber}: not valid UTF-8 text. Save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8), one query a line; nothing was imported.`,
        );
      }
      if (line.length > maxUserQueryChars) {
        throw new WitError(
          `${role} ${path}, line ${lineNumber}: ${line.length.toLocaleString('en-US')} characters, more than a query may hold (${maxUserQueryChars}). Give one query a line; nothing was imported.`,
        );
      }
    }
  }
}

function addCorpusQueries(adder: QueryAdder, counts: CorpusCounts, options: ResolvedBuild): void {
  adder.add(
    'unigram',
    frequentUnigrams(counts, options.minCount).map((term) => term.text),
  );
  const bigrams = highPmiBigrams(counts, options.bigramMinCount ?? options.minCount, options.bigramPmi);
  adder.add(
    'bigram',
    bigrams.map((term) => term.text),
  );
}

function corpusSummary(counts: CorpusCounts): NonNullable<BuildQueriesResult['corpus']> {
  return {
    bytes: counts.bytes,
    lines: counts.lines,
    tokens: counts.tokens,
    trackedUnigrams: counts.words.size,
    trackedBigrams: counts.pairs.size,
    undercountBound: Math.max(counts.words.undercountBound, counts.pairs.undercountBound),
  };
}

/** Reads the first chunk of a file, so that a missing, binary or corrupt file fails before long work. */
async function probeTextFile(path: string, role: string): Promise<void> {
  for await (const _lines of readTextLines(path, { role })) break;
}

/** Inserts candidates of one origin at a time in batches, within the room `limit` leaves. */
export class QueryAdder {
  readonly candidates = emptyCounts();
  readonly added = emptyCounts();
  limitReached = false;
  private room: number;

  constructor(
    private readonly db: WitDb,
    limit: number,
  ) {
    this.room = Math.max(0, limit - countQueries(db));
    this.limitReached = this.room === 0;
  }

  hasRoom(): boolean {
    return this.room > 0;
  }

  add(origin: QueryOrigin, texts: readonly string[]): void {
    this.candidates[origin] += texts.length;
    for (let start = 0; start < texts.length && this.room > 0; start += batchSize) {
      const batch = texts.slice(start, start + batchSize).map((text) => ({ text, origin }));
      const added = insertNewQueries(this.db, batch, this.room);
      this.added[origin] += added;
      this.room -= added;
    }
    if (this.room === 0) this.limitReached = true;
  }
}

function emptyCounts(): Record<QueryOrigin, number> {
  return Object.fromEntries(queryOrigins.map((origin) => [origin, 0])) as Record<QueryOrigin, number>;
}

/** Turns per-file byte counts into one bytes-of-all-inputs progress update. */
class InputProgress {
  private doneBytes = 0;

  constructor(
    private readonly totalBytes: number,
    private readonly sink: ProgressSink | undefined,
  ) {}

  report(fileBytes: number): void {
    this.sink?.({ done: this.doneBytes + fileBytes, total: this.totalBytes });
  }

  finishFile(fileBytes: number): void {
    this.doneBytes += fileBytes;
    this.report(0);
  }
}
