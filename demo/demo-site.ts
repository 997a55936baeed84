import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { EmojiRasterizer, servedSizeOf, servedSizesPx } from './emoji-raster.js';
import type { Catalog, Emoji } from './openmoji-catalog.js';
import * as pages from './site-pages.js';
import { EmojiSearch } from './site-search.js';

export interface DemoSiteOptions {
  /** Emoji to serve; its `heldOut` emoji are never served. */
  catalog: Catalog;
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Emoji per subgroup page.
   * @default 24
   */
  pageSize?: number;
  /**
   * Hits per search page (HTML and JSON).
   * @default 20
   */
  searchPageSize?: number;
}

/** A running demo website. */
export interface DemoSite {
  /** e.g. `http://127.0.0.1:41234/` */
  url: string;
  /** The JSON search endpoint as a template: `{query}` and `{page}` are filled in. */
  searchUrlTemplate: string;
  /** Requests served so far, by HTTP status. */
  requestsByStatus: Map<number, number>;
  close(): Promise<void>;
}

const logoHexcode = '1F4F7';

/**
 * Starts the demo website on 127.0.0.1: an emoji gallery made from openmoji,
 * with group and subgroup pages, emoji pages with captioned figures, search
 * (HTML at /search, JSON at /api/search), robots.txt, and the noise of real
 * sites: logo icons on every page, the same image under two URLs, links and
 * images that 404, a truncated PNG, a tiny spacer image, a disallowed folder.
 */
export async function startDemoSite(options: DemoSiteOptions): Promise<DemoSite> {
  const handler = new SiteHandler(options);
  const server = createServer((req, res) => {
    handler.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `internal error: ${String(error)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;
  handler.baseUrl = url;
  return {
    url,
    searchUrlTemplate: `${url}api/search?q={query}&page={page}`,
    requestsByStatus: handler.requestsByStatus,
    close: () => closeServer(server),
  };
}

class SiteHandler {
  baseUrl = '';
  readonly requestsByStatus = new Map<number, number>();
  private readonly raster: EmojiRasterizer;
  private readonly search: EmojiSearch;
  private readonly byHexcode: Map<string, Emoji>;
  private readonly groups = new Map<string, Map<string, Emoji[]>>();
  private readonly pageSize: number;
  private readonly searchPageSize: number;

  constructor(options: DemoSiteOptions) {
    this.raster = new EmojiRasterizer(options.catalog.svgDir);
    this.search = new EmojiSearch(options.catalog.served);
    this.byHexcode = new Map(options.catalog.served.map((e) => [e.hexcode, e]));
    for (const e of options.catalog.served) {
      const subgroups = this.groups.get(e.group) ?? new Map<string, Emoji[]>();
      subgroups.set(e.subgroup, [...(subgroups.get(e.subgroup) ?? []), e]);
      this.groups.set(e.group, subgroups);
    }
    this.pageSize = options.pageSize ?? 24;
    this.searchPageSize = options.searchPageSize ?? 20;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('finish', () => this.requestsByStatus.set(res.statusCode, (this.requestsByStatus.get(res.statusCode) ?? 0) + 1));
    const url = new URL(req.url ?? '/', 'http://site.invalid');
    const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const html = (status: number, body: string) => send(res, status, 'text/html; charset=utf-8', body);
    const [head, second, third] = parts;

    if (url.pathname === '/robots.txt') return send(res, 200, 'text/plain; charset=utf-8', 'User-agent: *\nDisallow: /private/\n');
    if (parts.length === 0) return html(200, pages.homePage(this.groups));
    if (head === 'about' && parts.length === 1)
      return html(200, pages.layout('About', '<h1>About</h1><p>A gallery of OpenMoji emoji.</p>'));
    if (head === 'g' && second) return this.groupRoute(res, second, third, parts.length, page);
    if (head === 'e' && second && parts.length === 2) return this.emojiRoute(res, second);
    if (head === 'search' && parts.length === 1)
      return html(200, pages.searchPage(this.search.search(url.searchParams.get('q') ?? '', page, this.searchPageSize)));
    if (head === 'api' && second === 'search' && parts.length === 2) return this.searchJson(res, url.searchParams.get('q') ?? '', page);
    if (head === 'images' || head === 'media' || head === 'static' || head === 'private') return this.imageRoute(res, parts);
    return html(404, pages.notFoundPage(url.pathname));
  }

  private groupRoute(res: ServerResponse, group: string, subgroup: string | undefined, depth: number, page: number): void {
    const subgroups = this.groups.get(group);
    const list = subgroup ? subgroups?.get(subgroup) : undefined;
    const html = (status: number, body: string) => send(res, status, 'text/html; charset=utf-8', body);
    if (subgroups && depth === 2) return html(200, pages.groupPage(group, subgroups));
    if (list && depth === 3) return html(200, pages.subgroupPage(group, subgroup!, list, page, this.pageSize));
    return html(404, pages.notFoundPage(pages.groupPath(group, subgroup)));
  }

  private emojiRoute(res: ServerResponse, hexcode: string): void {
    const emoji = this.byHexcode.get(hexcode);
    if (!emoji) return send(res, 404, 'text/html; charset=utf-8', pages.notFoundPage(`/e/${hexcode}/`));
    const siblings = this.groups.get(emoji.group)?.get(emoji.subgroup) ?? [];
    const at = siblings.indexOf(emoji);
    const related = [1, 2, 3].map((k) => siblings[(at + k) % siblings.length]!).filter((e, i, all) => e !== emoji && all.indexOf(e) === i);
    send(res, 200, 'text/html; charset=utf-8', pages.emojiPage(emoji, related));
  }

  private searchJson(res: ServerResponse, query: string, page: number): void {
    const result = this.search.search(query, page, this.searchPageSize);
    const results = result.hits.map((e) => ({
      imageUrl: new URL(pages.imagePath(e), this.baseUrl).href,
      text: e.annotation,
      pageUrl: new URL(pages.emojiPagePath(e), this.baseUrl).href,
    }));
    const nextPage = page * result.pageSize < result.total ? page + 1 : null;
    send(res, 200, 'application/json', JSON.stringify({ query, page, pageSize: result.pageSize, total: result.total, nextPage, results }));
  }

  private async imageRoute(res: ServerResponse, parts: string[]): Promise<void> {
    const png = (body: Buffer) => send(res, 200, 'image/png', body);
    const [head, second, third] = parts;
    const hexcode = (parts.at(-1) ?? '').replace(/\.png$/, '');
    const emoji = this.byHexcode.get(hexcode);
    if (head === 'static' && second === 'logo.png') return png(await this.raster.png(logoHexcode, 128));
    if (head === 'static' && second === 'spacer.png') return png(await spacerPng());
    if (head === 'private' && second === 'staff.png') return png(await this.raster.png(logoHexcode, 256));
    if (emoji && head === 'media' && parts.length === 2) return png(await this.raster.png(hexcode, servedSizeOf(hexcode)));
    if (emoji && head === 'images' && second === 'broken' && third) {
      const full = await this.raster.png(hexcode, 256);
      return png(full.subarray(0, Math.floor(full.length / 2)));
    }
    const size = Number(second);
    if (emoji && head === 'images' && parts.length === 3 && (servedSizesPx as readonly number[]).includes(size))
      return png(await this.raster.png(hexcode, size));
    send(res, 404, 'text/plain; charset=utf-8', 'no such image');
  }
}

let spacer: Promise<Buffer> | undefined;
function spacerPng(): Promise<Buffer> {
  spacer ??= sharp({ create: { width: 8, height: 8, channels: 3, background: '#f4f4f8' } })
    .png()
    .toBuffer();
  return spacer;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=3600' });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
