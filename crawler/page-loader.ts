import { WitError } from '../core/index.js';
import { extractPage, type ExtractedPage, type ResultSelectors } from './extract.js';
import { FetchFailure } from './fetch-failure.js';
import { decodeBody } from './page-text.js';
import type { PoliteFetcher } from './polite-fetcher.js';
import type { PageRenderer } from './renderer.js';
import type { RobotsRefusal } from './x-robots-tag.js';

/** `never`: the HTML as served; `auto`: render pages that look script-built; `always`: render every page. */
export type RenderMode = 'never' | 'auto' | 'always';

export interface PageLoaderOptions {
  fetcher: PoliteFetcher;
  /** Needed unless `render` is `never`. */
  renderer?: PageRenderer;
  render: RenderMode;
  /** HTML beyond this is cut off (the page is marked `truncated`). */
  maxPageBytes: number;
}

export interface LoadedPage extends ExtractedPage {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  truncated: boolean;
  rendered: boolean;
  /** Set when rendering failed and the HTML as served was used instead. */
  renderError?: string;
}

/** Fetches an HTML page, renders it when the render mode says so, and extracts its pairs and links. */
export class PageLoader {
  constructor(private readonly options: PageLoaderOptions) {}

  async load(url: string, selectors: ResultSelectors = {}, signal?: AbortSignal): Promise<LoadedPage> {
    const { fetcher, render } = this.options;
    const fetched = await fetcher.fetch(url, {
      purpose: 'page',
      maxBytes: this.options.maxPageBytes,
      onTooLarge: 'truncate',
      ...(signal ? { signal } : {}),
    });
    if (!isHtml(fetched.contentType)) {
      throw new FetchFailure('not_html', `${fetched.url} is ${fetched.contentType || 'of no stated type'}, not HTML`, { retryable: false });
    }
    const html = decodeBody(fetched.body, fetched.contentType);
    const page = { url: fetched.url, status: fetched.status, truncated: fetched.truncated };
    const served = withHeaderRefusal(extractPage(html, fetched.url, fetcher.robotsPolicy, selectors), fetched.refusal);
    // A page without scripts renders to what it is: no browser needed, whatever the mode.
    const hasScripts = /<script\b/i.test(html);
    const wantsRender = !served.refusal && hasScripts && (render === 'always' || (render === 'auto' && served.looksScriptBuilt));
    if (!wantsRender || !this.options.renderer) return { ...page, ...served, rendered: false };
    try {
      const rendered = await this.options.renderer.render(fetched.url, html, signal);
      return {
        ...page,
        ...withHeaderRefusal(extractPage(rendered, fetched.url, fetcher.robotsPolicy, selectors), fetched.refusal),
        rendered: true,
      };
    } catch (error) {
      if (error instanceof WitError) throw error;
      if (signal?.aborted) throw new FetchFailure('aborted', `${url}: stopped`, { retryable: false });
      return { ...page, ...served, rendered: false, renderError: 'render_failed' };
    }
  }
}

/** An `X-Robots-Tag` that forbids the page's images wins over the page's meta. */
function withHeaderRefusal(page: ExtractedPage, header: RobotsRefusal | undefined): ExtractedPage {
  return header ? { ...page, pairs: [], refusal: header } : page;
}

/** True for an HTML Content-Type, or none at all (as browsers sniff it). */
export function isHtml(contentType: string): boolean {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
}
