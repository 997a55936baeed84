import { existsSync } from 'node:fs';
import {
  addSourceFiles,
  advanceSourceFile,
  countQueryProgress,
  finishSourceFile,
  unfinishedSourceFiles,
  type Partition,
  type SourceFileRow,
} from '../../db/index.js';
import { WitError, type GivenOptions } from '../../core/index.js';
import { loadMatcher, type QueryMatcher } from '../../queries/index.js';
import { boundCaptions } from '../caption-bound.js';
import { extractArchivedPage, type ImageText } from '../extract.js';
import type { warcSourceOptions } from '../options.js';
import { htmlBytes } from '../page-text.js';
import { isHtml } from '../page-loader.js';
import { robotsRefusal, type RobotsRefusal } from '../x-robots-tag.js';
import { ArchiveUnreadable, asUnreadable, isArchiveUrl, openArchive, type ArchiveStreamOptions } from './archive-stream.js';
import type { CrawlContext, Source } from './source.js';
import { ArchiveBroken, WarcRecordReader, type ArchiveRecord } from './warc-records.js';
import { watImagePairs } from './wat-links.js';

/** The declared options (options.ts, the crawl's own). */
export interface WarcSourceOptions extends GivenOptions<typeof warcSourceOptions.entries> {
  kind: 'warc';
  archives: readonly string[];
}

/**
 * A commit of pairs and resume offset comes after this many candidate pairs, or
 * this many records, whichever is first. Each commit rewrites every page of
 * the pairs indexes it touches (pairs spread over most queries, the emptiest
 * first), so fewer, larger commits cost far less per pair; a kill loses at most
 * one commit's records, which the rerun reads again.
 */
const pairsPerCommit = 10_000;
const recordsPerCommit = 2_000;

/** The pairs of one record, not stored yet. */
interface RecordPairs {
  pageUrl: string;
  pairs: ImageText[];
}

/** Records read since the last commit, their pairs (`pairs` of them), and the offset after them. */
interface Staged {
  records: number;
  pages: RecordPairs[];
  pairs: number;
  end: number;
}

/**
 * Reads web archives (WARC and WAT, local or over http(s)) record by record:
 * HTML responses go through the site source's extraction, WAT metadata
 * records give their images' alt texts, every other record is counted and
 * skipped. Pairs are matched and capped as for every source, and stored in
 * the same transaction as the archive's resume offset (`source_files`), so a
 * kill and a rerun read each record's pairs once. An archive whose bytes stop
 * making sense is marked failed where they did; the others go on.
 */
export class WarcSource implements Source {
  constructor(
    private readonly options: WarcSourceOptions,
    private readonly streamOptions: Omit<ArchiveStreamOptions, 'signal'>,
  ) {}

  async run(context: CrawlContext): Promise<void> {
    const { db, stats } = context;
    const missing = this.options.archives.filter((location) => !isArchiveUrl(location) && !existsSync(location));
    if (missing.length > 0)
      throw new WitError(
        `No such archive file: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}. Check the paths (or --warc-prefix).`,
      );
    addSourceFiles(db, 'warc', this.options.archives);
    const mine = new Set(archivesOf(this.options.archives, context.partition));
    const archives = unfinishedSourceFiles(db, 'warc').filter((row) => mine.has(row.location));
    const matcher = loadMatcher(db);
    stats.queries.left = countQueryProgress(db).left;
    stats.archives.left = archives.length;
    for (const archive of archives) {
      if (context.signal.aborted) break;
      await this.readArchive(context, matcher, archive);
    }
  }

  private async readArchive(context: CrawlContext, matcher: QueryMatcher, archive: SourceFileRow): Promise<void> {
    const { stats, signal } = context;
    let staged: Staged = { records: 0, pages: [], pairs: 0, end: archive.position };
    // The record being read: it joins the staged ones once the next one starts (or the archive ends) cleanly.
    let current: { offset: number; pairs: RecordPairs | undefined } | undefined;
    const settle = (end: number) => {
      if (current) {
        staged.records++;
        if (current.pairs) {
          staged.pages.push(current.pairs);
          staged.pairs += current.pairs.pairs.length;
        }
      }
      current = undefined;
      staged.end = end;
    };
    try {
      const chunks = await openArchive(archive.location, archive.position, { ...this.streamOptions, signal });
      const reader = new WarcRecordReader(chunks, archive.position);
      for await (const record of reader.records()) {
        settle(record.offset);
        if (staged.pairs >= pairsPerCommit || staged.records >= recordsPerCommit || signal.aborted) {
          this.commit(context, matcher, archive, staged);
          staged = { records: 0, pages: [], pairs: 0, end: staged.end };
          context.reportProgress();
          if (signal.aborted) return;
        }
        current = { offset: record.offset, pairs: await this.pairsOf(context, record) };
      }
      settle(reader.endOffset);
      this.commit(context, matcher, archive, staged, { state: 'done' });
      stats.archiveFinished({ state: 'done' });
    } catch (error) {
      const failure = archiveFailure(archive.location, error);
      if (error instanceof ArchiveBroken && error.lastRecordComplete) settle(error.offset);
      if (failure.retryable) {
        this.commit(context, matcher, archive, staged);
        stats.archiveDeferred();
      } else {
        this.commit(context, matcher, archive, staged, { state: 'failed', error: failure.message });
        stats.archiveFinished({ state: 'failed', location: archive.location, error: failure.message });
      }
    }
    context.reportProgress();
  }

  /** Stores the staged pairs and moves the archive's resume offset past them, in one transaction. */
  private commit(
    context: CrawlContext,
    matcher: QueryMatcher,
    archive: SourceFileRow,
    staged: Staged,
    end?: { state: 'done' } | { state: 'failed'; error: string },
  ): void {
    const { db, stats, writer } = context;
    db.transaction(() => {
      let tooLong = 0;
      const matched = staged.pages.flatMap(({ pageUrl, pairs }) => {
        const bounded = boundCaptions(pairs);
        tooLong += bounded.tooLong;
        return bounded.kept.map((pair) => ({ pair: { ...pair, pageUrl }, queryIds: matcher.match(pair.text) }));
      });
      const batch = matched.filter((candidate) => candidate.queryIds.length > 0);
      const outcome = writer.store(batch);
      stats.addPairs(outcome, matched.length - batch.length, tooLong);
      stats.queries.finished += outcome.queriesFilled;
      stats.queries.left -= outcome.queriesFilled;
      advanceSourceFile(db, archive.id, { position: staged.end, records: staged.records, pairs: outcome.stored });
      if (end) finishSourceFile(db, archive.id, end);
    }).immediate();
  }

  /** The candidate pairs of one record; undefined for a record that has none to give (counted as skipped). */
  private async pairsOf(context: CrawlContext, record: ArchiveRecord): Promise<RecordPairs | undefined> {
    const { stats, maxPageBytes } = context;
    stats.records.read++;
    const pageUrl = record.targetUri?.replace(/^<(.*)>$/, '$1');
    if (pageUrl && URL.canParse(pageUrl) && record.type === 'response' && record.http && isHtml(record.http.contentType)) {
      if (record.http.status < 200 || record.http.status >= 300) return this.skipped(context);
      // As the site source: a page whose X-Robots-Tag or robots meta refuses it gives no pairs.
      const { robotsPolicy } = context.fetcher;
      const headerRefusal = robotsRefusal(record.http.robotsTag, 'page', robotsPolicy);
      if (headerRefusal?.refuses === 'resource') return this.refused(context, headerRefusal);
      const payload = await record.readPayload(maxPageBytes);
      const page = extractArchivedPage(htmlBytes(payload.bytes, record.http.contentType), pageUrl, robotsPolicy);
      if (page.refusal?.refuses === 'resource') return this.refused(context, page.refusal);
      stats.pages.fetched++;
      // noimageai / noimageindex: the page may be read, its images may not be used.
      if (headerRefusal || page.refusal) return { pageUrl, pairs: [] };
      return { pageUrl, pairs: page.pairs };
    }
    if (record.type === 'metadata' && record.contentType.toLowerCase().startsWith('application/json')) {
      const payload = await record.readPayload(maxPageBytes);
      const wat = payload.truncated ? undefined : watImagePairs(payload.bytes.toString('utf8'), pageUrl);
      if (!wat) return this.skipped(context);
      stats.pages.fetched++;
      return wat;
    }
    return this.skipped(context);
  }

  private refused(context: CrawlContext, refusal: RobotsRefusal): undefined {
    context.stats.pageFailed('skipped', refusal.directive);
    return undefined;
  }

  private skipped(context: CrawlContext): undefined {
    context.stats.records.skipped++;
    return undefined;
  }
}

/** This partition's archives: every `count`-th of the list, so each machine gets an even share of the same list. */
function archivesOf(archives: readonly string[], partition: Partition | undefined): string[] {
  return partition ? archives.filter((_, i) => i % partition.count === partition.index) : [...archives];
}

/** What a read error means for the archive: broken bytes and refusals fail it, network trouble defers it to the next run. */
function archiveFailure(location: string, error: unknown): ArchiveUnreadable {
  if (error instanceof ArchiveBroken) return new ArchiveUnreadable(error.message, false);
  if (error instanceof ArchiveUnreadable) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') throw error;
  if (!isArchiveUrl(location)) return new ArchiveUnreadable(`${location}: ${(error as Error).message}`, false);
  return asUnreadable(location, error);
}
