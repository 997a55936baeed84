import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import type { WitDb } from '../db/index.js';
import { FetchFailure, httpFailure } from './fetch-failure.js';
import { httpGet, type HttpResponse } from './http-get.js';
import { RobotsCache } from './robots.js';
import { robotsRefusal } from './x-robots-tag.js';

export const defaultUserAgent = 'wit/0.1 (+https://github.com/wit-dataset/wit; a research crawler for image-text pairs)';

export interface PoliteFetcherOptions {
  /**
   * Sent with every request; names the crawler and a contact URL. Its first word
   * (`wit`) is the token robots.txt groups and `X-Robots-Tag` scopes are matched against.
   * @default defaultUserAgent
   */
  userAgent?: string;
  /** Requests in flight in all. @default 32 */
  concurrency?: number;
  /** Requests in flight to one host. @default 2 */
  perHost?: number;
  /** Least time between the starts of two requests to one host (a larger robots.txt Crawl-delay wins, up to 60 s). @default 250 */
  hostDelayMillis?: number;
  /** Limit for one attempt, body included. @default 30 */
  timeoutSecs?: number;
  /** Tries after the first, for network errors, timeouts, 429 and 5xx. @default 3 */
  maxRetries?: number;
  /** The first retry waits about this long, each further one twice as long (±50% jitter); `Retry-After` overrides it. @default 1000 */
  retryBaseMillis?: number;
  /** Connect to private, loopback and link-local addresses too. @default false */
  allowPrivate?: boolean;
  /** Where robots.txt answers are cached across runs (table `robots`). */
  db?: WitDb;
}

export interface FetchRequest {
  /** `page`: `X-Robots-Tag: noindex` refuses it; both refuse `noai`/`noimageai`. */
  purpose: 'page' | 'image';
  /** Largest body kept, after decompression. */
  maxBytes: number;
  /** `truncate`: keep the first `maxBytes` (`truncated: true`); `fail`: a `too_large` failure. */
  onTooLarge: 'truncate' | 'fail';
  /** Stops waiting and in-flight requests: the fetch fails with reason `aborted`. */
  signal?: AbortSignal;
}

export interface FetchedResource {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

const maxRedirects = 5;
/** A `Retry-After` longer than this is not waited for in-run: the failure carries it for the caller to reschedule. */
const maxWaitMillis = 60_000;
const maxCrawlDelayMillis = 60_000;
const maxRobotsBytes = 512 * 1024;

interface HostState {
  queue: PQueue;
  users: number;
  nextStartAtMillis: number;
}

/**
 * Fetches URLs the way a good citizen of the web does: robots.txt first, a
 * bounded number of requests per host and in all, a delay between requests to
 * one host, retries with backoff, at most 5 redirects, http(s) only, and no
 * connections to private addresses (checked after DNS, on every hop) unless allowed.
 * Every way it fails is a `FetchFailure` with a reason.
 */
export class PoliteFetcher {
  readonly agentToken: string;
  private readonly options: Required<Omit<PoliteFetcherOptions, 'db'>>;
  private readonly global: PQueue;
  private readonly hosts = new Map<string, HostState>();
  private readonly robots: RobotsCache;
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  constructor(options: PoliteFetcherOptions = {}) {
    this.options = {
      userAgent: options.userAgent ?? defaultUserAgent,
      concurrency: options.concurrency ?? 32,
      perHost: options.perHost ?? 2,
      hostDelayMillis: options.hostDelayMillis ?? 250,
      timeoutSecs: options.timeoutSecs ?? 30,
      maxRetries: options.maxRetries ?? 3,
      retryBaseMillis: options.retryBaseMillis ?? 1000,
      allowPrivate: options.allowPrivate ?? false,
    };
    this.agentToken = this.options.userAgent.split(/[\s/]/)[0]!.toLowerCase();
    this.global = new PQueue({ concurrency: this.options.concurrency });
    this.robots = new RobotsCache({
      agentToken: this.agentToken,
      ...(options.db ? { db: options.db } : {}),
      load: (robotsUrl) => this.loadRobots(robotsUrl),
    });
  }

  /** Fetches `url` (following redirects) and gives its 2xx body, or throws a `FetchFailure`. */
  async fetch(url: string, request: FetchRequest): Promise<FetchedResource> {
    const response = await this.follow(parseHttpUrl(url), request, true);
    if (response.status < 200 || response.status >= 300) throw httpFailure(response.url, response.status);
    const refusal = robotsRefusal(response.headers['x-robots-tag'], request.purpose, this.agentToken);
    if (refusal) throw new FetchFailure(refusal, `${response.url} says X-Robots-Tag: ${response.headers['x-robots-tag']}`, { retryable: false });
    const { url: finalUrl, status, headers, body, truncated } = response;
    return { url: finalUrl, status, contentType: headers['content-type'] ?? '', headers, body, truncated };
  }

  /** Waits for nothing: in-flight requests are cut and kept-alive sockets closed. */
  async close(): Promise<void> {
    this.global.clear();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async follow(start: URL, request: FetchRequest, checkRobots: boolean): Promise<HttpResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const response = await this.getWithRetries(url, request, checkRobots);
      if (response.status < 300 || response.status >= 400) return response;
      const location = response.headers.location;
      if (!location) return response;
      if (hop >= maxRedirects) {
        throw new FetchFailure('too_many_redirects', `${start.href}: more than ${maxRedirects} redirects`, { retryable: false });
      }
      url = parseHttpUrl(location, url);
    }
  }

  private async getWithRetries(url: URL, request: FetchRequest, checkRobots: boolean): Promise<HttpResponse> {
    const delayMillis = checkRobots ? await this.hostDelayFor(url) : this.options.hostDelayMillis;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.scheduled(url, delayMillis, request.signal, () =>
          httpGet(url, {
            userAgent: this.options.userAgent,
            timeoutSecs: this.options.timeoutSecs,
            maxBytes: request.maxBytes,
            onTooLarge: request.onTooLarge,
            allowPrivate: this.options.allowPrivate,
            agents: this.agents,
            ...(request.signal ? { signal: request.signal } : {}),
          }),
        );
        if (response.status === 429 || response.status >= 500) {
          throw httpFailure(url.href, response.status, parseRetryAfterSecs(response.headers['retry-after']));
        }
        return response;
      } catch (error) {
        if (!(error instanceof FetchFailure) || !error.retryable || attempt >= this.options.maxRetries) throw error;
        const waitMillis = error.retryAfterSecs !== undefined ? error.retryAfterSecs * 1000 : this.backoffMillis(attempt);
        if (waitMillis > maxWaitMillis) throw error;
        await this.sleep(waitMillis, url, request.signal);
      }
    }
  }

  private async hostDelayFor(url: URL): Promise<number> {
    const { crawlDelaySecs } = await this.robots.check(url);
    return Math.max(this.options.hostDelayMillis, Math.min(crawlDelaySecs * 1000, maxCrawlDelayMillis));
  }

  /** Runs `task` when the host has a free slot and its delay has passed, then a global slot is free. */
  private async scheduled<T>(url: URL, delayMillis: number, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const host = url.host;
    let state = this.hosts.get(host);
    if (!state) {
      state = { queue: new PQueue({ concurrency: this.options.perHost }), users: 0, nextStartAtMillis: 0 };
      this.hosts.set(host, state);
    }
    const hostState = state;
    hostState.users++;
    try {
      return await hostState.queue.add(async () => {
        const now = Date.now();
        const waitMillis = hostState.nextStartAtMillis - now;
        hostState.nextStartAtMillis = Math.max(now, hostState.nextStartAtMillis) + delayMillis;
        if (waitMillis > 0) await this.sleep(waitMillis, url, signal);
        return this.global.add(task);
      });
    } finally {
      if (--hostState.users === 0) this.hosts.delete(host);
    }
  }

  private backoffMillis(attempt: number): number {
    return this.options.retryBaseMillis * 2 ** attempt * (0.5 + Math.random());
  }

  private async sleep(millis: number, url: URL, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(millis, undefined, signal ? { signal } : {});
    } catch {
      throw new FetchFailure('aborted', `${url.href}: stopped`, { retryable: false });
    }
  }

  private async loadRobots(robotsUrl: URL): Promise<{ status: number; body: string }> {
    try {
      const response = await this.follow(robotsUrl, { purpose: 'page', maxBytes: maxRobotsBytes, onTooLarge: 'truncate' }, false);
      return { status: response.status, body: response.body.toString('utf8') };
    } catch (error) {
      // RFC 9309: too many redirects means "unavailable", i.e. no rules.
      if (error instanceof FetchFailure && error.reason === 'too_many_redirects') return { status: 404, body: '' };
      if (error instanceof FetchFailure && error.status !== undefined) return { status: error.status, body: '' };
      throw error;
    }
  }
}

/** Parses an absolute (or, with `base`, relative) http(s) URL, or throws a `bad_url` failure. */
export function parseHttpUrl(url: string, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new FetchFailure('bad_url', `${JSON.stringify(url)} is not a valid URL`, { retryable: false });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchFailure('bad_url', `${parsed.href} is not http(s)`, { retryable: false });
  }
  parsed.hash = '';
  return parsed;
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date. */
export function parseRetryAfterSecs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
