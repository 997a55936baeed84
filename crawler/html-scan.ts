import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { streamElements, type ElementHandler } from './html-elements.js';

/** An element's attributes as the page gives them: names lowercased (A-Z), values with entities decoded, the first of a repeated name kept. */
export type Attributes = Readonly<Record<string, string>>;

/** An `<img>` and the text of the first `<figcaption>` of its nearest `<figure>` ('' when none). */
export interface ScannedImage {
  attributes: Attributes;
  caption: string;
}

/** What the extraction reads of a page, gathered in one pass. */
export interface PageScan {
  /** The `href` of the first `<base href>`, anywhere in the page. */
  baseHref: string | undefined;
  /** The `<meta name>` elements: name (as written) and content ('' when absent). */
  metas: Array<{ name: string; content: string }>;
  images: ScannedImage[];
  /** The `<a href>` elements, when asked for. */
  anchors: Attributes[];
  hasScript: boolean;
}

/** A `<figure>` still open, and the caption it has so far. */
interface OpenFigure {
  /** Depth of the figure element itself. */
  depth: number;
  /** Text of its first figcaption; undefined until one opens. */
  caption: string | undefined;
  /** Depth of that figcaption while it is open, else -1. */
  captionDepth: number;
}

/**
 * One streaming pass of htmlparser2's tokenizer over a page, with its parser's
 * element stack (lenient HTML, as the DOM htmlparser2 builds: the same implied
 * closing of elements; see html-elements.ts), keeping only what the pair
 * extraction reads, with no DOM built. The tokenizer leaves entities alone
 * (decoding them all is a third of its time on a text-heavy page); the few
 * values kept are decoded as it would have: `entities`' attribute and legacy
 * text modes. `decode` turns a kept slice of `html` into text first: a page
 * read as bytes (`htmlBytes`) is decoded only there.
 */
export function scanHtml(html: string, options: { anchors: boolean; decode?: (raw: string) => string }): PageScan {
  const scan = (nesting: boolean) => {
    const collector = new ScanCollector(options.anchors, options.decode ?? asIs);
    return streamElements(html, collector, { nesting }) ? collector.result() : undefined;
  };
  // Nesting only tells which figure an image and a caption are in: a page is read without it until a <figure> opens.
  return scan(false) ?? scan(true)!;
}

const asIs = (raw: string): string => raw;

const figureTags: ReadonlySet<string> = new Set(['figure']);
/** The start tags a page with no figure is read for. */
const flatTagsRead: ReadonlySet<string> = new Set(['img', 'base', 'meta', 'script']);
const flatTagsWithAnchors: ReadonlySet<string> = new Set([...flatTagsRead, 'a']);
/** Tags whose attributes the extraction reads; every other tag's are skipped unread. */
const tagsRead = new Set(['img', 'base', 'meta']);
/** Elements whose text the tokenizer reads raw, with no entities decoded. */
const rawTextElements = new Set(['script', 'style', 'textarea', 'xmp']);

/** The page's elements, gathered into a `PageScan`. */
class ScanCollector implements ElementHandler {
  readonly nestingTags = figureTags;
  readonly flatTags: ReadonlySet<string>;
  private readonly scan: PageScan = { baseHref: undefined, metas: [], images: [], anchors: [], hasScript: false };
  private readonly figures: OpenFigure[] = [];
  private readonly imageFigures: Array<OpenFigure | undefined> = [];
  private depth = 0;
  /** Figcaptions open now: text counts only while one is. */
  private capturing = 0;
  /** The element open last reads its text raw (until the next close). */
  private rawText = false;

  constructor(
    private readonly anchors: boolean,
    private readonly decode: (raw: string) => string,
  ) {
    this.flatTags = anchors ? flatTagsWithAnchors : flatTagsRead;
  }

  get wantsText(): boolean {
    return this.capturing > 0;
  }

  openTagName(name: string): boolean {
    return tagsRead.has(name) || (this.anchors && name === 'a');
  }

  openTag(name: string, attributes: Record<string, string>): void {
    this.depth++;
    this.rawText = rawTextElements.has(name);
    const { scan, figures } = this;
    switch (name) {
      case 'img':
        scan.images.push({ attributes: this.decodeValues(attributes), caption: '' });
        this.imageFigures.push(figures[figures.length - 1]);
        break;
      case 'figure':
        figures.push({ depth: this.depth, caption: undefined, captionDepth: -1 });
        break;
      case 'figcaption':
        for (const figure of figures) {
          if (figure.caption !== undefined) continue;
          figure.caption = '';
          figure.captionDepth = this.depth;
          this.capturing++;
        }
        break;
      case 'a':
        if (this.anchors && attributes.href !== undefined) scan.anchors.push(this.decodeValues(attributes));
        break;
      case 'base':
        if (scan.baseHref === undefined && attributes.href !== undefined) scan.baseHref = this.decodeValues(attributes).href;
        break;
      case 'meta':
        if (attributes.name !== undefined) {
          const { name: metaName, content = '' } = this.decodeValues(attributes);
          scan.metas.push({ name: metaName!, content });
        }
        break;
      case 'script':
        scan.hasScript = true;
        break;
    }
  }

  selfClosed(): void {
    this.rawText = false;
  }

  text(raw: string): void {
    const decoded = this.decode(raw);
    const text = this.rawText || !decoded.includes('&') ? decoded : decodeHTML(decoded);
    for (const figure of this.figures) if (figure.captionDepth !== -1) figure.caption += text;
  }

  closeTag(): void {
    this.rawText = false;
    const { figures } = this;
    if (this.capturing > 0) {
      for (const figure of figures) {
        if (figure.captionDepth !== this.depth) continue;
        figure.captionDepth = -1;
        this.capturing--;
      }
    }
    if (figures.length > 0 && figures[figures.length - 1]!.depth === this.depth) figures.pop();
    this.depth--;
  }

  result(): PageScan {
    this.scan.images.forEach((image, i) => {
      image.caption = this.imageFigures[i]?.caption ?? '';
    });
    return this.scan;
  }

  /** Each value as text, entities decoded as the tokenizer would have. */
  private decodeValues(attributes: Record<string, string>): Record<string, string> {
    for (const name in attributes) {
      const value = this.decode(attributes[name]!);
      attributes[name] = value.includes('&') ? decodeHTMLAttribute(value) : value;
    }
    return attributes;
  }
}
