// The slim build (htmlparser2 only, as the xml option asks anyway) loads in a third of the time: every crawl pays it.
import * as cheerio from 'cheerio/slim';
import type { Element } from 'domhandler';
import type { TextOrigin } from '../db/index.js';
import type { ScanInput } from './page-text.js';
import { scanHtml, type Attributes, type PageScan, type ScannedImage } from './html-scan.js';
import { robotsRefusal, type RobotsPolicy, type RobotsRefusal } from './x-robots-tag.js';

/** Where a pair's text came from (db's, as the schema checks it). */
export type { TextOrigin };

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

/** Every image's texts, the links and the robots meta of a page. */
export function extractPage(html: string, pageUrl: string, robots: RobotsPolicy, selectors: ResultSelectors = {}): ExtractedPage {
  const scan = scanHtml(html, { anchors: true });
  const base = baseUrl(scan, pageUrl);
  const meta = robotsMeta(scan, robots);
  const refusal = robotsRefusal(meta, 'page', robots);
  const found = selectors.item ? resultPairs(html, base, selectors) : imagePairs(scan.images, base);
  const nofollow = /(^|[\s,])(nofollow|none)([\s,]|$)/i.test(meta);
  return {
    pairs: refusal ? [] : found,
    links: nofollow ? [] : links(scan.anchors, base),
    ...(refusal ? { refusal } : {}),
    looksScriptBuilt: found.length === 0 && scan.hasScript,
  };
}

/** The pairs and robots meta of a page read from an archive: `extractPage`'s, without its links. */
export function extractArchivedPage(
  { html, decode }: ScanInput,
  pageUrl: string,
  robots: RobotsPolicy,
): Pick<ExtractedPage, 'pairs' | 'refusal'> {
  const scan = scanHtml(html, { anchors: false, decode });
  const refusal = robotsRefusal(robotsMeta(scan, robots), 'page', robots);
  if (refusal) return { pairs: [], refusal };
  return { pairs: imagePairs(scan.images, baseUrl(scan, pageUrl)) };
}

/** The contents of the page's robots meta elements (its own name and ours), comma-joined. */
function robotsMeta(scan: PageScan, robots: RobotsPolicy): string {
  const names = ['robots', robots.agentToken];
  return scan.metas
    .filter((meta) => names.includes(meta.name.toLowerCase()))
    .map((meta) => meta.content)
    .join(',');
}

/** Result pairs by CSS selectors (the search source's result pages): the one place a DOM is built. */
function resultPairs(html: string, base: URL, selectors: ResultSelectors): ImageText[] {
  const $ = cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const pairs: ImageText[] = [];
  for (const item of $(selectors.item!).toArray()) {
    const image = $(item).is('img')
      ? $(item)
      : $(item)
          .find(selectors.image ?? 'img')
          .first();
    const img = image.get(0) as Element | undefined;
    if (!img) continue;
    const caption = image.closest('figure').find('figcaption').first().text();
    if (!selectors.text) {
      pairs.push(...imagePairs([{ attributes: img.attribs, caption }], base));
      continue;
    }
    const imageUrl = imageSource(img.attribs, base);
    const text = collapse($(item).find(selectors.text).first().text());
    if (imageUrl && text) pairs.push({ imageUrl, text, textOrigin: 'api' });
  }
  return pairs;
}

function imagePairs(images: readonly ScannedImage[], base: URL): ImageText[] {
  const pairs: ImageText[] = [];
  for (const { attributes, caption } of images) {
    const imageUrl = imageSource(attributes, base);
    if (!imageUrl) continue;
    const seen = new Set<string>();
    const texts: Array<[TextOrigin, string]> = [
      ['alt', attributes.alt ?? ''],
      ['figcaption', caption],
      ['title', attributes.title ?? ''],
    ];
    for (const [textOrigin, raw] of texts) {
      const text = collapse(raw);
      if (!text || seen.has(text)) continue;
      seen.add(text);
      pairs.push({ imageUrl, text, textOrigin });
    }
  }
  return pairs;
}

/**
 * The URL an `<img>` shows: the largest `srcset` candidate, else a lazy-loading
 * `data-src`, else `src`; resolved against the base. Undefined for `data:` URIs,
 * non-http(s) URLs and 1x1 pixels.
 */
function imageSource(attributes: Attributes, base: URL): string | undefined {
  if (Number(attributes.width) === 1 && Number(attributes.height) === 1) return undefined;
  const srcset = attributes.srcset ?? attributes['data-srcset'];
  const candidates = [srcset ? largestCandidate(srcset) : undefined, attributes['data-src'], attributes['data-lazy-src'], attributes.src];
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

function links(anchors: readonly Attributes[], base: URL): string[] {
  const found = new Set<string>();
  for (const anchor of anchors) {
    if (/\bnofollow\b/i.test(anchor.rel ?? '')) continue;
    const url = resolveHttp(anchor.href!, base);
    if (url) found.add(url);
  }
  return [...found];
}

function baseUrl(scan: PageScan, pageUrl: string): URL {
  const page = new URL(pageUrl);
  if (!scan.baseHref) return page;
  try {
    return new URL(scan.baseHref, page);
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
    if (!url.href.includes('#')) return url.href; // setting the hash reparses the URL: only when there is one
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/** Anything but printable ASCII and single inner spaces: most alt texts have none and are returned as they are. */
const needsCollapsing = /[^\x20-\x7e]|^ | $| {2}/;

/**
 * A caption as stored: control characters (NUL included: the sqlite3 shell
 * cuts a text there) removed, whitespace runs (any Unicode space, tabs and
 * newlines included) collapsed to one space, ends trimmed.
 */
export function collapse(text: string): string {
  if (!needsCollapsing.test(text)) return text;
  return text
    .replace(/(?![\t\n\v\f\r])\p{Cc}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}
