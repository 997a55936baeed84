import type { IncomingHttpHeaders } from 'node:http';
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
class AbortedError extends Error {}

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

/**
 * One GET, no retries and no redirects: every way it can fail becomes a
 * `FetchFailure`. The body is gathered straight from undici's dispatch
 * callbacks (no stream, no async iteration per chunk): an image is one
 * request among thousands a minute, and the stream machinery cost more CPU
 * than the bytes did.
 */
export function httpGet(url: URL, options: HttpGetOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const exchange = new Exchange(url, options, resolve, reject);
    try {
      if (!options.allowPrivate) checkLiteralHost(url.hostname);
      exchange.start();
    } catch (error) {
      exchange.fail(error);
    }
  });
}

/** One request and its response: the dispatch handler, the timer, the stop signal and the body gathered so far. */
class Exchange implements Dispatcher.DispatchHandler {
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | undefined;
  /** Why the request was stopped before undici called `onRequestStart`, to abort it then. */
  private stopReason: Error | undefined;
  private settled = false;
  private timedOut = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private body: BodyLimit | undefined;
  private decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  private readonly onStop = () => this.stop(new AbortedError());

  constructor(
    private readonly url: URL,
    private readonly options: HttpGetOptions,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (failure: FetchFailure) => void,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop(new TimeoutError());
    }, options.timeoutSecs * 1000);
    options.signal?.addEventListener('abort', this.onStop, { once: true });
  }

  start(): void {
    if (this.options.signal?.aborted) throw new AbortedError();
    this.options.dispatcher.dispatch(
      {
        origin: this.url.origin,
        path: `${this.url.pathname}${this.url.search}`,
        method: 'GET',
        headers: { 'user-agent': this.options.userAgent, 'accept-encoding': 'gzip, deflate, br', accept: '*/*' },
      },
      this,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopReason) controller.abort(this.stopReason);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.settled || statusCode < 200) return;
    this.status = statusCode;
    this.headers = flattenHeaders(headers);
    if (statusCode >= 300 && statusCode < 400) {
      // The redirect's body is read to its end and dropped, so the connection stays alive.
      this.succeed(Buffer.alloc(0), false);
      return;
    }
    const encoding = (this.headers['content-encoding'] ?? '').trim().toLowerCase();
    const declared = Number(this.headers['content-length']);
    if (this.options.onTooLarge === 'fail' && encoding === '' && declared > this.options.maxBytes) {
      this.stop(tooLarge(this.url, this.options.maxBytes));
      return;
    }
    this.body = new BodyLimit(this.options.maxBytes);
    this.decoder = decoderFor(encoding);
    this.decoder?.on('data', (chunk: Buffer) => this.take(chunk));
    this.decoder?.on('error', (error) => this.stop(error));
    this.decoder?.on('end', () => this.succeed(this.body!.bytes(), false));
    this.decoder?.on('drain', () => controller.resume());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (!this.decoder) this.take(chunk);
    else if (!this.decoder.write(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    if (this.settled) return;
    if (this.decoder) this.decoder.end();
    else this.succeed(this.body?.bytes() ?? Buffer.alloc(0), false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(this.timedOut ? new TimeoutError() : error);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settle();
    this.decoder?.destroy();
    this.reject(toFetchFailure(this.url, this.timedOut ? new TimeoutError() : error, this.options.signal));
  }

  /** A decoded chunk of the body: kept, or the end of the response when it passes `maxBytes`. */
  private take(chunk: Buffer): void {
    if (this.settled) return;
    const body = this.body!;
    if (body.fits(chunk)) {
      body.add(chunk);
      return;
    }
    if (this.options.onTooLarge === 'fail') {
      this.stop(tooLarge(this.url, this.options.maxBytes));
      return;
    }
    body.addFirst(chunk);
    this.succeed(body.bytes(), true);
    this.cut();
  }

  private succeed(body: Buffer, truncated: boolean): void {
    if (this.settled) return;
    this.settle();
    this.resolve({ url: this.url.href, status: this.status, headers: this.headers, body, truncated });
  }

  /** Fails the exchange with `error` and cuts the connection. */
  private stop(error: Error): void {
    this.fail(error);
    this.cut();
  }

  private cut(): void {
    this.decoder?.destroy();
    const reason = new AbortedError();
    if (this.controller) this.controller.abort(reason);
    else this.stopReason = reason;
  }

  private settle(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onStop);
  }
}

/** The body so far, at most `maxBytes`. */
class BodyLimit {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  fits(chunk: Buffer): boolean {
    return this.size + chunk.length <= this.maxBytes;
  }

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** Adds as much of `chunk` as `maxBytes` leaves room for. */
  addFirst(chunk: Buffer): void {
    this.add(chunk.subarray(0, this.maxBytes - this.size));
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }
}

/** A streaming decoder for the Content-Encoding, so that a bomb is stopped at `maxBytes`; none for identity. */
function decoderFor(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip();
  if (encoding === 'deflate') return zlib.createInflate();
  if (encoding === 'br') return zlib.createBrotliDecompress();
  return undefined;
}

function tooLarge(url: URL, maxBytes: number): FetchFailure {
  return new FetchFailure('too_large', `${url.href} is larger than ${maxBytes} bytes`, { retryable: false });
}

function flattenHeaders(raw: IncomingHttpHeaders): Record<string, string> {
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
