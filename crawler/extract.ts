import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { robotsRefusal, type RobotsPolicy, type RobotsRefusal } from './x-robots-tag.js';

/** Where a pair's text came from: an attribute or element of a page, a search API, or a URL+caption list. */
export type TextOrigin = 'alt' | 'figcaption' | 'title' | 'api' | 'list';

/** One (image, text) pair found on a page, before any matching or cap. */
export interface ImageText {
  imageUrl: string;
  text: string;
  textOrigin: TextOrigin;
}

export interface ExtractedPage {
  pairs: ImageText[];
  /** Absolute http(s) links, fragments removed, in page order, each once; empty when the page says `nofollow`. */
  links: string[];
  /** What the page's `<meta name="robots">` forbids, if anything; when it forbids the images, `pairs` is empty. */
  refusal?: RobotsRefusal;
  /** No pairs in the HTML as served, but scripts that could add them: worth rendering (`--render auto`). */
  looksScriptBuilt: boolean;
}

/** CSS selectors for a search result page; without `item`, every `img` of the page is a result. */
export interface ResultSelectors {
  /** One result, e.g. `.result`. */
  item?: string;
  /** The image inside a result. @default 'img' */
  image?: string;
  /** The text inside a result; without it, the image's alt, title and figcaption are used. */
  text?: string;
}

export type CheerioDoc = cheerio.CheerioAPI;

/** Parses HTML with htmlparser2 (lenient and fast); entities are decoded. */
export function parseHtml(html: string): CheerioDoc {
  return cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
}

/** Every image's texts, the links and the robots meta of a page. */
export function extractPage(html: string, pageUrl: string, robots: RobotsPolicy, selectors: ResultSelectors = {}): ExtractedPage {
  const $ = parseHtml(html);
  const base = baseUrl($, pageUrl);
  const meta = $('meta[name]')
    .filter((_, el) => ['robots', robots.agentToken].includes(($(el).attr('name') ?? '').toLowerCase()))
    .map((_, el) => $(el).attr('content') ?? '')
    .get()
    .join(',');
  const refusal = robotsRefusal(meta, 'page', robots);
  const found = selectors.item ? resultPairs($, base, selectors) : imagePairs($, $('img').toArray(), base);
  const pairs = refusal ? [] : found;
  const nofollow = /(^|[\s,])(nofollow|none)([\s,]|$)/i.test(meta);
  return {
    pairs,
    links: nofollow ? [] : links($, base),
    ...(refusal ? { refusal } : {}),
    looksScriptBuilt: found.length === 0 && $('script').length > 0,
  };
}

function resultPairs($: CheerioDoc, base: URL, selectors: ResultSelectors): ImageText[] {
  const pairs: ImageText[] = [];
  for (const item of $(selectors.item!).toArray()) {
    const image = $(item).is('img') ? $(item) : $(item).find(selectors.image ?? 'img').first();
    const img = image.get(0);
    if (!img) continue;
    if (!selectors.text) {
      pairs.push(...imagePairs($, [img], base));
      continue;
    }
    const imageUrl = imageSource($, img as Element, base);
    const text = collapse($(item).find(selectors.text).first().text());
    if (imageUrl && text) pairs.push({ imageUrl, text, textOrigin: 'api' });
  }
  return pairs;
}

function imagePairs($: CheerioDoc, images: AnyNode[], base: URL): ImageText[] {
  const pairs: ImageText[] = [];
  for (const img of images) {
    const imageUrl = imageSource($, img as Element, base);
    if (!imageUrl) continue;
    const seen = new Set<string>();
    for (const [textOrigin, raw] of imageTexts($, img as Element)) {
      const text = collapse(raw);
      if (!text || seen.has(text)) continue;
      seen.add(text);
      pairs.push({ imageUrl, text, textOrigin });
    }
  }
  return pairs;
}

function imageTexts($: CheerioDoc, img: Element): Array<[TextOrigin, string]> {
  const element = $(img);
  const caption = element.closest('figure').find('figcaption').first().text();
  return [
    ['alt', element.attr('alt') ?? ''],
    ['figcaption', caption],
    ['title', element.attr('title') ?? ''],
  ];
}

/**
 * The URL an `<img>` shows: the largest `srcset` candidate, else a lazy-loading
 * `data-src`, else `src`; resolved against the base. Undefined for `data:` URIs,
 * non-http(s) URLs and 1x1 pixels.
 */
function imageSource($: CheerioDoc, img: Element, base: URL): string | undefined {
  const element = $(img);
  if (Number(element.attr('width')) === 1 && Number(element.attr('height')) === 1) return undefined;
  const srcset = element.attr('srcset') ?? element.attr('data-srcset');
  const candidates = [srcset ? largestCandidate(srcset) : undefined, element.attr('data-src'), element.attr('data-lazy-src'), element.attr('src')];
  for (const candidate of candidates) {
    const resolved = candidate ? resolveHttp(candidate.trim(), base) : undefined;
    if (resolved) return resolved;
  }
  return undefined;
}

/** The candidate of a `srcset` with the largest width (`640w`) or density (`2x`) descriptor. */
export function largestCandidate(srcset: string): string | undefined {
  let best: { url: string; size: number } | undefined;
  for (const part of srcset.split(/,\s+|,(?=\S+\s+\d)/)) {
    const [url, descriptor = '1x'] = part.trim().split(/\s+/);
    if (!url) continue;
    const size = Number.parseFloat(descriptor) * (descriptor.endsWith('w') ? 1 : 10_000);
    if (!best || size > best.size) best = { url, size: Number.isNaN(size) ? 0 : size };
  }
  return best?.url;
}

function links($: CheerioDoc, base: URL): string[] {
  const found = new Set<string>();
  for (const anchor of $('a[href]').toArray()) {
    if (/\bnofollow\b/i.test($(anchor).attr('rel') ?? '')) continue;
    const url = resolveHttp($(anchor).attr('href')!, base);
    if (url) found.add(url);
  }
  return [...found];
}

function baseUrl($: CheerioDoc, pageUrl: string): URL {
  const href = $('base[href]').first().attr('href');
  const page = new URL(pageUrl);
  if (!href) return page;
  try {
    return new URL(href, page);
  } catch {
    return page;
  }
}

/** `href` resolved against `base`, fragment removed; undefined unless it is http(s). */
export function resolveHttp(href: string, base: URL): string | undefined {
  if (!href || href.startsWith('data:')) return undefined;
  try {
    const url = new URL(href, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/**
 * A caption as stored: control characters (NUL included: the sqlite3 shell
 * cuts a text there) removed, whitespace runs (any Unicode space, tabs and
 * newlines included) collapsed to one space, ends trimmed.
 */
export function collapse(text: string): string {
  return text.replace(/(?![\t\n\v\f\r])\p{Cc}/gu, '').replace(/\s+/gu, ' ').trim();
}
