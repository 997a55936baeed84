import type { Browser, BrowserContext, Route } from 'playwright-core';
import PQueue from 'p-queue';
import { WitError } from '../core/index.js';
import { politenessOptions } from './options.js';
import type { PoliteFetcher } from './polite-fetcher.js';

export interface PageRendererOptions {
  /** Subresources (scripts, XHR) are fetched through it: robots.txt, limits and the address guard apply to them too. */
  fetcher: PoliteFetcher;
  /** @default '/usr/bin/chromium' */
  executablePath?: string;
  /** Limit for one render, scripts included; by default that of one request (`--timeout-secs`' default). */
  timeoutSecs?: number;
  /** Largest script or XHR body fetched for a render. */
  maxBytes: number;
}

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Renders at a time: each is a chromium tab. */
const renderConcurrency = 4;
/** The browser is restarted after this many renders, so that its memory stays flat over a long crawl. */
const rendersPerBrowser = 500;
const subresourceTypes = new Set(['script', 'xhr', 'fetch']);

/**
 * Runs a page's scripts in headless chromium (playwright-core) and gives the
 * HTML they leave. The page's own HTML, already fetched, is served to the
 * browser; scripts and XHR go through the polite fetcher; images, styles,
 * fonts, media and frames are never loaded. One browser (and context) is
 * reused, each page is closed after its render, and the browser is replaced
 * every `rendersPerBrowser` renders.
 */
export class PageRenderer {
  private current: BrowserLease | undefined;
  private readonly queue = new PQueue({ concurrency: renderConcurrency });

  constructor(private readonly options: PageRendererOptions) {}

  render(pageUrl: string, html: string, signal?: AbortSignal): Promise<string> {
    return this.queue.add(() => this.renderNow(pageUrl, html, signal), signal ? { signal } : {});
  }

  async close(): Promise<void> {
    this.queue.clear();
    const lease = this.current;
    this.current = undefined;
    if (lease) await (await lease.browser.catch(() => undefined))?.close();
  }

  private async renderNow(pageUrl: string, html: string, signal?: AbortSignal): Promise<string> {
    const lease = this.lease();
    lease.active++;
    try {
      return await this.renderIn(await lease.context, pageUrl, html, signal);
    } finally {
      lease.active--;
      if (lease !== this.current && lease.active === 0) void (await lease.browser.catch(() => undefined))?.close();
    }
  }

  private async renderIn(context: BrowserContext, pageUrl: string, html: string, signal?: AbortSignal): Promise<string> {
    const page = await context.newPage();
    try {
      let documentServed = false;
      await page.route('**/*', async (route) => {
        const isMainDocument = !documentServed && route.request().resourceType() === 'document';
        if (isMainDocument) {
          documentServed = true;
          await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
        } else await this.serveSubresource(route, signal);
      });
      const timeout = (this.options.timeoutSecs ?? politenessOptions.entries.timeoutSecs.default) * 1000;
      await page.goto(pageUrl, { waitUntil: 'load', timeout });
      await page.waitForLoadState('networkidle', { timeout: Math.min(timeout, 5000) }).catch(() => undefined);
      return await page.content();
    } finally {
      await page.close();
    }
  }

  private async serveSubresource(route: Route, signal?: AbortSignal): Promise<void> {
    const request = route.request();
    if (!subresourceTypes.has(request.resourceType()) || request.method() !== 'GET') return route.abort();
    try {
      const fetched = await this.options.fetcher.fetch(request.url(), {
        purpose: 'page',
        maxBytes: this.options.maxBytes,
        onTooLarge: 'fail',
        ...(signal ? { signal } : {}),
      });
      await route.fulfill({ status: fetched.status, contentType: fetched.contentType, body: fetched.body });
    } catch {
      await route.abort();
    }
  }

  /** The browser to render in; a fresh one after `rendersPerBrowser` renders (the old one closes when its renders end). */
  private lease(): BrowserLease {
    if (!this.current || this.current.rendersLeft-- <= 0) {
      const old = this.current;
      const browser = launchChromium(this.options.executablePath ?? '/usr/bin/chromium');
      const context = browser.then((launched) => launched.newContext({ serviceWorkers: 'block' }));
      this.current = { browser, context, active: 0, rendersLeft: rendersPerBrowser - 1 };
      if (old && old.active === 0) void old.browser.then((browser) => browser.close()).catch(() => undefined);
    }
    return this.current;
  }
}

interface BrowserLease {
  browser: Promise<Browser>;
  /** One context per browser: a new context per page costs a new renderer process. */
  context: Promise<BrowserContext>;
  active: number;
  rendersLeft: number;
}

async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ executablePath, args: chromiumArgs, headless: true });
  } catch (error) {
    throw new WitError(
      `Cannot start chromium at ${executablePath} for --render (${(error as Error).message.split('\n')[0]}). ` +
        'Install it (Debian: apt-get install chromium) or crawl with --render never.',
      { cause: error },
    );
  }
}
