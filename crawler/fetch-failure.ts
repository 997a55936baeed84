import type { RobotsDirective } from './x-robots-tag.js';

/**
 * Why a fetch did not give a usable body. `reason` is the short key stored in
 * the db's `error` columns and counted in the end-of-run summary.
 */
export type FetchFailureReason =
  | `http_${number}`
  | 'timeout'
  | 'network'
  | 'robots'
  | 'robots_unavailable'
  | RobotsDirective
  | 'private_address'
  | 'too_many_redirects'
  | 'too_large'
  | 'bad_url'
  | 'bad_encoding'
  | 'not_html'
  | 'bad_response'
  | 'aborted';

export interface FetchFailureOptions {
  /** Worth trying again later (network errors, timeouts, 429, 5xx, robots.txt 5xx). */
  retryable: boolean;
  /** The HTTP status that caused it, when there was one. */
  status?: number;
  /** Seconds the server asked us to wait (`Retry-After`) when that was more than we wait in-run. */
  retryAfterSecs?: number;
  cause?: unknown;
}

/** A fetch that failed; the crawler records `reason` and decides on a retry by `retryable`. */
export class FetchFailure extends Error {
  readonly reason: FetchFailureReason;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterSecs?: number;

  constructor(reason: FetchFailureReason, message: string, options: FetchFailureOptions) {
    super(message, { cause: options.cause });
    this.name = 'FetchFailure';
    this.reason = reason;
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterSecs !== undefined) this.retryAfterSecs = options.retryAfterSecs;
  }
}

/** The failure for a non-2xx response: 429 and 5xx are retryable, the rest are not. */
export function httpFailure(url: string, status: number, retryAfterSecs?: number): FetchFailure {
  const retryable = status === 429 || status >= 500;
  return new FetchFailure(`http_${status}`, `${url} answered HTTP ${status}`, {
    retryable,
    status,
    ...(retryAfterSecs !== undefined ? { retryAfterSecs } : {}),
  });
}
