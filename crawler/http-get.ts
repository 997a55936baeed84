import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { checkLiteralHost, PrivateAddressError, publicOnlyLookup } from './address-guard.js';
import { FetchFailure } from './fetch-failure.js';

export interface HttpGetOptions {
  userAgent: string;
  timeoutSecs: number;
  /** Largest body kept, after decompression. */
  maxBytes: number;
  /** `truncate`: keep the first `maxBytes` and mark the response truncated; `fail`: a `too_large` failure. */
  onTooLarge: 'truncate' | 'fail';
  allowPrivate: boolean;
  agents: { http: http.Agent; https: https.Agent };
  signal?: AbortSignal;
}

/** One HTTP response, redirects not followed (a 3xx comes back with an empty body). */
export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

class TimeoutError extends Error {}

/** One GET, no retries and no redirects: every way it can fail becomes a `FetchFailure`. */
export async function httpGet(url: URL, options: HttpGetOptions): Promise<HttpResponse> {
  if (!options.allowPrivate) {
    try {
      checkLiteralHost(url.hostname);
    } catch (error) {
      throw toFetchFailure(url, error, options.signal);
    }
  }
  const client = url.protocol === 'https:' ? https : http;
  const request = client.request(url, {
    method: 'GET',
    agent: url.protocol === 'https:' ? options.agents.https : options.agents.http,
    headers: { 'user-agent': options.userAgent, 'accept-encoding': 'gzip, deflate, br', accept: '*/*' },
    ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    request.destroy(new TimeoutError());
  }, options.timeoutSecs * 1000);
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
      request.end();
    });
    const headers = flattenHeaders(response);
    if (response.statusCode! >= 300 && response.statusCode! < 400) {
      response.resume();
      return { url: url.href, status: response.statusCode!, headers, body: Buffer.alloc(0), truncated: false };
    }
    const { body, truncated } = await readBody(url, response, options);
    return { url: url.href, status: response.statusCode!, headers, body, truncated };
  } catch (error) {
    request.destroy();
    // Once the timer has destroyed the request, a body read fails as "aborted"
    // or ends early; either way the cause is the timeout.
    throw toFetchFailure(url, timedOut ? new TimeoutError() : error, options.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(url: URL, response: IncomingMessage, options: HttpGetOptions): Promise<{ body: Buffer; truncated: boolean }> {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const declared = Number(response.headers['content-length']);
  if (options.onTooLarge === 'fail' && encoding === '' && declared > options.maxBytes) throw tooLarge(url, options.maxBytes);
  const source = decode(response, encoding);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (size + chunk.length > options.maxBytes) {
      if (options.onTooLarge === 'fail') throw tooLarge(url, options.maxBytes);
      chunks.push(chunk.subarray(0, options.maxBytes - size));
      source.destroy();
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  if (!response.complete) throw new FetchFailure('network', `${url.href}: the body ended early`, { retryable: true });
  return { body: Buffer.concat(chunks), truncated: false };
}

function decode(response: IncomingMessage, encoding: string): Readable {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return response;
  response.on('error', (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

function tooLarge(url: URL, maxBytes: number): FetchFailure {
  return new FetchFailure('too_large', `${url.href} is larger than ${maxBytes} bytes`, { retryable: false });
}

function flattenHeaders(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function toFetchFailure(url: URL, error: unknown, signal: AbortSignal | undefined): FetchFailure {
  if (error instanceof FetchFailure) return error;
  if (error instanceof PrivateAddressError) return new FetchFailure('private_address', error.message, { retryable: false, cause: error });
  if (error instanceof TimeoutError) return new FetchFailure('timeout', `${url.href} timed out`, { retryable: true });
  if (signal?.aborted) return new FetchFailure('aborted', `${url.href}: stopped`, { retryable: false });
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('Z_') || code.startsWith('ERR__')) {
    return new FetchFailure('bad_encoding', `${url.href}: the compressed body is corrupt`, { retryable: false, cause: error });
  }
  const permanent = code === 'ENOTFOUND' || code.startsWith('ERR_TLS') || code.includes('CERT');
  return new FetchFailure('network', `${url.href}: ${(error as Error).message}`, { retryable: !permanent, cause: error });
}
