import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { Parser, type QuoteType } from 'htmlparser2';

/** An element's attributes as the page gives them: names lowercased, entities decoded, the first of a repeated name kept. */
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
 * One streaming pass of htmlparser2's tokenizer over a page (lenient HTML, as
 * the DOM htmlparser2 builds: the same implied closing of elements, entities
 * decoded), keeping only what the pair extraction reads, with no DOM built.
 * The tokenizer leaves entities alone (decoding them all is a third of its
 * time on a text-heavy page); the few values kept are decoded as it would
 * have: `entities`' attribute and legacy text modes.
 */
export function scanHtml(html: string, options: { anchors: boolean }): PageScan {
  const collector = new ScanCollector(options.anchors);
  new ScanParser(collector).end(html);
  return collector.result();
}

/** Tags whose attributes the extraction reads; every other tag's are skipped unread. */
const tagsRead = new Set(['img', 'base', 'meta']);
/** Elements whose text the tokenizer reads raw, with no entities decoded. */
const rawTextElements = new Set(['script', 'style', 'textarea', 'xmp']);

/** The parser's events, gathered into a `PageScan`. */
class ScanCollector {
  private readonly scan: PageScan = { baseHref: undefined, metas: [], images: [], anchors: [], hasScript: false };
  private readonly figures: OpenFigure[] = [];
  private readonly imageFigures: Array<OpenFigure | undefined> = [];
  private depth = 0;
  /** Figcaptions open now: text counts only while one is. */
  capturing = 0;
  /** The tag being opened has attributes the extraction reads. */
  readsAttributes = false;
  /** The element open last reads its text raw (until the next close). */
  rawText = false;

  constructor(private readonly anchors: boolean) {}

  onopentagname(name: string): void {
    this.readsAttributes = tagsRead.has(name) || (this.anchors && name === 'a');
  }

  onopentag(name: string, attributes: Record<string, string>): void {
    this.depth++;
    this.rawText = rawTextElements.has(name);
    if (this.readsAttributes) decodeValues(attributes);
    const { scan, figures } = this;
    switch (name) {
      case 'img':
        scan.images.push({ attributes, caption: '' });
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
        if (this.anchors && attributes.href !== undefined) scan.anchors.push(attributes);
        break;
      case 'base':
        if (scan.baseHref === undefined && attributes.href !== undefined) scan.baseHref = attributes.href;
        break;
      case 'meta':
        if (attributes.name !== undefined) scan.metas.push({ name: attributes.name, content: attributes.content ?? '' });
        break;
      case 'script':
        scan.hasScript = true;
        break;
    }
  }

  ontext(raw: string): void {
    const text = this.rawText || !raw.includes('&') ? raw : decodeHTML(raw);
    for (const figure of this.figures) if (figure.captionDepth !== -1) figure.caption += text;
  }

  onclosetag(): void {
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
}

/** An attribute value as the tokenizer would have decoded it. */
function decodeValues(attributes: Record<string, string>): void {
  for (const name in attributes) {
    const value = attributes[name]!;
    if (value.includes('&')) attributes[name] = decodeHTMLAttribute(value);
  }
}

/**
 * htmlparser2's parser, unchanged in what it tells the collector, but it skips
 * the work for what the collector does not read: the attributes of other tags
 * and text outside figcaptions (most of a page).
 */
class ScanParser extends Parser {
  constructor(private readonly collector: ScanCollector) {
    super(collector, { xmlMode: false, decodeEntities: false });
  }

  // A self-closed <script/> puts the tokenizer back in plain text (the element itself stays open).
  override onselfclosingtag(endIndex: number): void {
    super.onselfclosingtag(endIndex);
    this.collector.rawText = false;
  }

  override onattribname(start: number, endIndex: number): void {
    if (this.collector.readsAttributes) super.onattribname(start, endIndex);
  }

  override onattribdata(start: number, endIndex: number): void {
    if (this.collector.readsAttributes) super.onattribdata(start, endIndex);
  }

  override onattribend(quote: QuoteType, endIndex: number): void {
    if (this.collector.readsAttributes) super.onattribend(quote, endIndex);
  }

  override ontext(start: number, endIndex: number): void {
    if (this.collector.capturing > 0) super.ontext(start, endIndex);
  }
}
