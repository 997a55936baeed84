import { createReadStream } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { checkLiteralHost, PrivateAddressError, publicOnlyLookup } from '../address-guard.js';

export interface ArchiveStreamOptions {
  /** Allow private, loopback and link-local addresses for archive URLs. */
  allowPrivate: boolean;
  userAgent: string;
  /** Seconds without a byte before a remote read gives up. */
  idleTimeoutSecs: number;
  signal?: AbortSignal;
}

/**
 * Why an archive could not be opened or read on. `retryable` (network trouble,
 * 5xx) leaves the archive for a later run; the rest mark it failed.
 */
export class ArchiveUnreadable extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ArchiveUnreadable';
  }
}

/** True for http(s) URLs; anything else is a local path. */
export function isArchiveUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/**
 * The bytes of an archive from `position` on, streamed: a seek for a file, a
 * Range request for a URL (a server that ignores Range is read and the first
 * `position` bytes dropped).
 */
export async function openArchive(location: string, position: number, options: ArchiveStreamOptions): Promise<AsyncIterable<Uint8Array>> {
  if (!isArchiveUrl(location)) return createReadStream(location, { start: position, highWaterMark: 1 << 20 });
  const response = await requestArchive(new URL(location), position, options);
  const status = response.statusCode ?? 0;
  if (status === 416 && position > 0) {
    response.resume();
    return (async function* () {})();
  }
  if (status !== 200 && status !== 206) {
    response.resume();
    throw new ArchiveUnreadable(`${location}: HTTP ${status}`, status === 429 || status >= 500);
  }
  return status === 206 || position === 0 ? response : dropFirst(response, position);
}

function requestArchive(url: URL, position: number, options: ArchiveStreamOptions): Promise<IncomingMessage> {
  try {
    if (!options.allowPrivate) checkLiteralHost(url.hostname);
  } catch (error) {
    return Promise.reject(new ArchiveUnreadable((error as Error).message, false));
  }
  const client = url.protocol === 'https:' ? https : http;
  const request = client.request(url, {
    headers: { 'user-agent': options.userAgent, ...(position > 0 ? { range: `bytes=${position}-` } : {}) },
    ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  request.setTimeout(options.idleTimeoutSecs * 1000, () =>
    request.destroy(new ArchiveUnreadable(`${url.href}: no data for ${options.idleTimeoutSecs} s`, true)),
  );
  return new Promise((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', (error) => reject(asUnreadable(url, error)));
    request.end();
  });
}

/** Network errors as `ArchiveUnreadable`: a private address is refused for good, the rest can be retried. */
export function asUnreadable(url: URL | string, error: unknown): ArchiveUnreadable {
  if (error instanceof ArchiveUnreadable) return error;
  if (error instanceof PrivateAddressError) return new ArchiveUnreadable(error.message, false);
  return new ArchiveUnreadable(`${String(url)}: ${(error as Error).message}`, true);
}

async function* dropFirst(chunks: AsyncIterable<Uint8Array>, count: number): AsyncGenerator<Uint8Array> {
  let left = count;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}
