import robotsParserModule from 'robots-parser';
import { readRobots, writeRobots, type WitDb } from '../db/index.js';
import { FetchFailure } from './fetch-failure.js';

/** What loading robots.txt gave: a status and body, or a failure to reach it at all. */
export type RobotsLoader = (robotsUrl: URL) => Promise<{ status: number; body: string }>;

export interface RobotsCacheOptions {
  /** The product token robots.txt groups are matched against (`wit` for `wit/0.1 (+https://…)`). */
  agentToken: string;
  /** Where answers are kept across runs (table `robots`); memory only when absent. */
  db?: WitDb;
  load: RobotsLoader;
}

interface RobotsRules {
  isAllowed(url: string, agent: string): boolean | undefined;
  getCrawlDelay(agent: string): number | undefined;
}

// robots-parser is CommonJS: its default import is the parse function, which its typings do not say.
const parseRobots = robotsParserModule as unknown as (robotsUrl: string, body: string) => RobotsRules;

interface RobotsAnswer {
  /** Null when every path is allowed (robots.txt answered 4xx). */
  rules: RobotsRules | null;
  expiresAtMillis: number;
}

const keepMillis = 24 * 3600 * 1000;
/** How long a robots.txt that answered 5xx (or could not be reached) blocks its origin before we ask again. */
const unavailableMillis = 60 * 1000;
/** Origins kept in memory; the oldest is forgotten first (the db still has it). */
const maxOrigins = 10_000;

/**
 * robots.txt per origin, following RFC 9309: 2xx gives the rules, 4xx allows
 * everything, 5xx or no answer means "try later" (a retryable `robots_unavailable`).
 * Answers are cached in memory and in the db for a day; one load per origin at a time.
 */
export class RobotsCache {
  private readonly entries = new Map<string, { answer: Promise<RobotsAnswer>; expiresAtMillis: number }>();

  constructor(private readonly options: RobotsCacheOptions) {}

  /** Throws a `FetchFailure` (`robots` or `robots_unavailable`) when `url` may not be fetched; else gives the crawl delay. */
  async check(url: URL): Promise<{ crawlDelaySecs: number }> {
    const answer = await this.answerFor(url.origin);
    if (!answer.rules) return { crawlDelaySecs: 0 };
    if (answer.rules.isAllowed(url.href, this.options.agentToken) === false) {
      throw new FetchFailure('robots', `robots.txt of ${url.origin} disallows ${url.pathname}`, { retryable: false });
    }
    return { crawlDelaySecs: answer.rules.getCrawlDelay(this.options.agentToken) ?? 0 };
  }

  private answerFor(origin: string): Promise<RobotsAnswer> {
    const entry = this.entries.get(origin);
    if (entry && entry.expiresAtMillis > Date.now()) return entry.answer;
    const answer = this.load(origin);
    const fresh = { answer, expiresAtMillis: Number.POSITIVE_INFINITY };
    this.entries.delete(origin);
    this.entries.set(origin, fresh);
    if (this.entries.size > maxOrigins) this.entries.delete(this.entries.keys().next().value!);
    answer.then(
      (loaded) => (fresh.expiresAtMillis = loaded.expiresAtMillis),
      () => (fresh.expiresAtMillis = Date.now() + unavailableMillis),
    );
    return answer;
  }

  private async load(origin: string): Promise<RobotsAnswer> {
    const robotsUrl = `${origin}/robots.txt`;
    const stored = this.options.db ? readRobots(this.options.db, origin) : undefined;
    if (stored) return toAnswer(robotsUrl, stored.http_status, stored.body, Date.parse(stored.expires_at));
    let status: number;
    let body: string;
    try {
      ({ status, body } = await this.options.load(new URL(robotsUrl)));
    } catch (error) {
      if (error instanceof FetchFailure && !error.retryable) throw error;
      throw unavailable(origin, error instanceof FetchFailure ? error.reason : String(error), error);
    }
    if (status >= 500 || status === 429) throw unavailable(origin, `http_${status}`);
    const now = Date.now();
    const kept = status < 300 ? body : null;
    this.options.db &&
      writeRobots(this.options.db, {
        host: origin,
        http_status: status,
        body: kept,
        fetched_at: new Date(now).toISOString(),
        expires_at: new Date(now + keepMillis).toISOString(),
      });
    return toAnswer(robotsUrl, status, kept, now + keepMillis);
  }
}

function toAnswer(robotsUrl: string, status: number, body: string | null, expiresAtMillis: number): RobotsAnswer {
  const rules = status >= 200 && status < 300 && body !== null ? parseRobots(robotsUrl, body) : null;
  return { rules, expiresAtMillis };
}

function unavailable(origin: string, why: string, cause?: unknown): FetchFailure {
  return new FetchFailure('robots_unavailable', `robots.txt of ${origin} could not be read (${why}); try later`, {
    retryable: true,
    cause,
  });
}
