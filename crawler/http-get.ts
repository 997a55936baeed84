import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';
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
  /** From `createHttpDispatcher`, with the same `allowPrivate`. */
  dispatcher: Dispatcher;
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

/**
 * The connection pool for `httpGet`: keep-alive, and `HTTP_PROXY`/`HTTPS_PROXY`/
 * `NO_PROXY` honoured (undici's `EnvHttpProxyAgent`). Unless `allowPrivate`, a direct connection resolves the
 * name and refuses private addresses on the address it connects to. Through a
 * proxy the proxy resolves the name, so the caller checks the target first
 * (`checkPublicHost`); the connection to the proxy itself is never refused.
 */
export function createHttpDispatcher(options: { allowPrivate: boolean }): Dispatcher {
  return new EnvHttpProxyAgent(options.allowPrivate ? {} : { connect: { lookup: publicOnlyLookup } });
}

/** One GET, no retries and no redirects: every way it can fail becomes a `FetchFailure`. */
export async function httpGet(url: URL, options: HttpGetOptions): Promise<HttpResponse> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new TimeoutError()), options.timeoutSecs * 1000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  try {
    if (!options.allowPrivate) checkLiteralHost(url.hostname);
    const response = await options.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { 'user-agent': options.userAgent, 'accept-encoding': 'gzip, deflate, br', accept: '*/*' },
      signal,
    });
    const headers = flattenHeaders(response.headers);
    if (response.statusCode >= 300 && response.statusCode < 400) {
      response.body.resume();
      return { url: url.href, status: response.statusCode, headers, body: Buffer.alloc(0), truncated: false };
    }
    const { body, truncated } = await readBody(url, response, options);
    return { url: url.href, status: response.statusCode, headers, body, truncated };
  } catch (error) {
    throw toFetchFailure(url, timeout.signal.aborted ? new TimeoutError() : error, options.signal);
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(url: URL, response: Dispatcher.ResponseData, options: HttpGetOptions): Promise<{ body: Buffer; truncated: boolean }> {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const declared = Number(response.headers['content-length']);
  if (options.onTooLarge === 'fail' && encoding === '' && declared > options.maxBytes) {
    response.body.destroy();
    throw tooLarge(url, options.maxBytes);
  }
  const source = decode(response.body, encoding);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (size + chunk.length > options.maxBytes) {
      source.destroy();
      response.body.destroy();
      if (options.onTooLarge === 'fail') throw tooLarge(url, options.maxBytes);
      chunks.push(chunk.subarray(0, options.maxBytes - size));
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

/** The body decoded as its Content-Encoding says, streaming, so that a bomb is stopped at `maxBytes`. */
function decode(body: Readable, encoding: string): Readable {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  if (!decoder) return body;
  body.on('error', (error) => decoder.destroy(error));
  return body.pipe(decoder);
}

function tooLarge(url: URL, maxBytes: number): FetchFailure {
  return new FetchFailure('too_large', `${url.href} is larger than ${maxBytes} bytes`, { retryable: false });
}

function flattenHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function toFetchFailure(url: URL, error: unknown, signal: AbortSignal | undefined): FetchFailure {
  if (error instanceof FetchFailure) return error;
  const cause = (error as { cause?: unknown }).cause;
  const privateAddress = [error, cause].find((candidate) => candidate instanceof PrivateAddressError);
  if (privateAddress) return new FetchFailure('private_address', (privateAddress as Error).message, { retryable: false, cause: error });
  if (error instanceof TimeoutError) return new FetchFailure('timeout', `${url.href} timed out`, { retryable: true });
  if (signal?.aborted) return new FetchFailure('aborted', `${url.href}: stopped`, { retryable: false });
  const code = errorCode(error);
  if (code.startsWith('Z_') || code.startsWith('ERR__')) {
    return new FetchFailure('bad_encoding', `${url.href}: the compressed body is corrupt`, { retryable: false, cause: error });
  }
  const permanent = code === 'ENOTFOUND' || code.startsWith('ERR_TLS') || code.includes('CERT');
  return new FetchFailure('network', `${url.href}: ${(error as Error).message}`, { retryable: !permanent, cause: error });
}

/** The error's code, or its cause's (undici wraps socket errors). */
function errorCode(error: unknown): string {
  const own = (error as NodeJS.ErrnoException).code;
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  return (own && !own.startsWith('UND_ERR_SOCKET') ? own : (cause ?? own)) ?? '';
}
