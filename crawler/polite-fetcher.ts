import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import type { Dispatcher } from 'undici';
import { resolveOptions, type GivenOptions, type ResolvedOptions } from '../core/index.js';
import type { WitDb } from '../db/index.js';
import { politenessOptions } from './options.js';
import { checkPublicHost, PrivateAddressError } from './address-guard.js';
import { FetchFailure, httpFailure } from './fetch-failure.js';
import { createHttpDispatcher, httpGet, type HttpResponse } from './http-get.js';
import { RobotsCache } from './robots.js';
import { robotsRefusal, type RobotsPolicy, type RobotsRefusal } from './x-robots-tag.js';

/** The fetcher's settings (declared in options.ts) and the db its robots.txt answers are cached in (table `robots`). */
export interface PoliteFetcherOptions extends GivenOptions<typeof politenessOptions.entries> {
  db?: WitDb;
}

export interface FetchRequest {
  /** What the response's `X-Robots-Tag` is read for (see `robotsRefusal`). */
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
  /** A page whose `X-Robots-Tag` forbids using the images on it (the page itself may be used). */
  refusal?: RobotsRefusal;
}

export type PoliteFetcherSettings = ResolvedOptions<typeof politenessOptions.entries>;

const maxRedirects = 5;
/** A `Retry-After` longer than this is not waited for in-run: the failure carries it for the caller to reschedule. */
const maxWaitMillis = 60_000;
const maxCrawlDelayMillis = 60_000;
const maxRobotsBytes = 512 * 1024;
/** How long a host name's checked addresses are trusted before it is resolved again. */
const guardKeepMillis = 60_000;

interface HostState {
  queue: PQueue;
  users: number;
  /** No request to the host starts before this: the host delay, a robots.txt Crawl-delay or a `Retry-After` pushes it on. */
  nextStartAtMillis: number;
}

/**
 * Fetches URLs the way a good citizen of the web does: robots.txt first, a
 * bounded number of requests per host and in all, a delay between requests to
 * one host, retries with backoff, at most 5 redirects, http(s) only, and no
 * connections to private addresses (checked after DNS, on every hop, before
 * the request waits its turn) unless allowed. Every way it fails is a
 * `FetchFailure` with a reason. One instance holds the politeness state of
 * each host (slots, delay, `Retry-After`, robots.txt): everything a process
 * sends to the web goes through the same one (`crawl --fetch` shares it).
 */
export class PoliteFetcher {
  readonly agentToken: string;
  readonly settings: PoliteFetcherSettings;
  readonly robotsPolicy: RobotsPolicy;
  private readonly global: PQueue;
  private readonly hosts = new Map<string, HostState>();
  private readonly robots: RobotsCache;
  private readonly dispatcher: Dispatcher;
  private readonly checkedHosts = new Map<string, { check: Promise<void>; expiresAtMillis: number }>();

  constructor(options: PoliteFetcherOptions = {}) {
    this.settings = resolveOptions(politenessOptions, options);
    this.agentToken = this.settings.userAgent.split(/[\s/]/)[0]!.toLowerCase();
    this.robotsPolicy = { agentToken: this.agentToken, disallowed: new Set(this.settings.disallowedDirectives) };
    this.dispatcher = createHttpDispatcher({ allowPrivate: this.settings.allowPrivate });
    this.global = new PQueue({ concurrency: this.settings.concurrency });
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
    const refusal = robotsRefusal(response.headers['x-robots-tag'], request.purpose, this.robotsPolicy);
    if (refusal?.refuses === 'resource') {
      throw new FetchFailure(refusal.directive, `${response.url} says X-Robots-Tag: ${response.headers['x-robots-tag']}`, {
        retryable: false,
      });
    }
    const { url: finalUrl, status, headers, body, truncated } = response;
    return { url: finalUrl, status, contentType: headers['content-type'] ?? '', headers, body, truncated, ...(refusal ? { refusal } : {}) };
  }

  /** Waits for nothing: in-flight requests are cut and kept-alive sockets closed. */
  async close(): Promise<void> {
    this.global.clear();
    await this.dispatcher.destroy();
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
    // Refusals that send nothing come first, so that they never wait for the host's turn.
    await this.checkAddress(url);
    const delayMillis = checkRobots ? await this.hostDelayFor(url) : this.settings.hostDelayMillis;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.scheduled(url, delayMillis, request.signal, () =>
          httpGet(url, {
            userAgent: this.settings.userAgent,
            timeoutSecs: this.settings.timeoutSecs,
            maxBytes: request.maxBytes,
            onTooLarge: request.onTooLarge,
            allowPrivate: this.settings.allowPrivate,
            dispatcher: this.dispatcher,
            ...(request.signal ? { signal: request.signal } : {}),
          }),
        );
        if (response.status === 429 || response.status >= 500) {
          throw httpFailure(url.href, response.status, parseRetryAfterSecs(response.headers['retry-after']));
        }
        return response;
      } catch (error) {
        if (!(error instanceof FetchFailure) || !error.retryable || attempt >= this.settings.maxRetries) throw error;
        if (error.retryAfterSecs !== undefined) {
          // The host asked every client to wait: no request to it starts before then, retry or not.
          if (error.retryAfterSecs * 1000 > maxWaitMillis) throw error;
          this.holdHost(url, error.retryAfterSecs * 1000);
        } else await this.sleep(this.backoffMillis(attempt), url, request.signal);
      }
    }
  }

  /** Throws a `private_address` failure when the target (resolved here, as a proxy would) is not public. */
  private async checkAddress(url: URL): Promise<void> {
    if (this.settings.allowPrivate) return;
    const now = Date.now();
    let entry = this.checkedHosts.get(url.hostname);
    if (!entry || entry.expiresAtMillis <= now) {
      entry = { check: checkPublicHost(url.hostname), expiresAtMillis: now + guardKeepMillis };
      if (this.checkedHosts.size >= 10_000) this.checkedHosts.clear();
      this.checkedHosts.set(url.hostname, entry);
    }
    try {
      await entry.check;
    } catch (error) {
      throw guardFailure(url, error);
    }
  }

  private holdHost(url: URL, millis: number): void {
    const state = this.hostState(url.host);
    state.nextStartAtMillis = Math.max(state.nextStartAtMillis, Date.now() + millis);
  }

  private async hostDelayFor(url: URL): Promise<number> {
    const { crawlDelaySecs } = await this.robots.check(url);
    return Math.max(this.settings.hostDelayMillis, Math.min(crawlDelaySecs * 1000, maxCrawlDelayMillis));
  }

  private hostState(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { queue: new PQueue({ concurrency: this.settings.perHost }), users: 0, nextStartAtMillis: 0 };
      this.hosts.set(host, state);
    }
    return state;
  }

  /** Forgets a host with nothing queued once its delay has passed (until then a new request must still wait it). */
  private release(host: string, state: HostState): void {
    if (--state.users > 0) return;
    const forget = () => state.users === 0 && this.hosts.get(host) === state && this.hosts.delete(host);
    const leftMillis = state.nextStartAtMillis - Date.now();
    if (leftMillis <= 0) forget();
    else setTimeout(forget, leftMillis).unref();
  }

  /** Runs `task` when the host has a free slot and its delay has passed, then a global slot is free. */
  private async scheduled<T>(url: URL, delayMillis: number, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const host = url.host;
    const hostState = this.hostState(host);
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
      this.release(host, hostState);
    }
  }

  private backoffMillis(attempt: number): number {
    return this.settings.retryBaseMillis * 2 ** attempt * (0.5 + Math.random());
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

function guardFailure(url: URL, error: unknown): FetchFailure {
  if (error instanceof PrivateAddressError) {
    return new FetchFailure('private_address', error.message, { retryable: false, cause: error });
  }
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new FetchFailure('network', `${url.href}: cannot resolve ${url.hostname} (${code || String(error)})`, {
    retryable: code !== 'ENOTFOUND',
    cause: error,
  });
}

/** What a stage is given to fetch with: a fetcher to share (its owner closes it), or settings for one of its own. */
export type FetcherChoice = PoliteFetcher | Omit<PoliteFetcherOptions, 'db'>;

/** The stage's fetcher for `choice`, and whether the stage made it (and so closes it). */
export function fetcherFor(choice: FetcherChoice | undefined, db: WitDb): { fetcher: PoliteFetcher; owned: boolean } {
  if (choice instanceof PoliteFetcher) return { fetcher: choice, owned: false };
  return { fetcher: new PoliteFetcher({ ...choice, db }), owned: true };
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
