import { Parser } from 'htmlparser2';

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
 */
export function scanHtml(html: string, options: { anchors: boolean }): PageScan {
  const scan: PageScan = { baseHref: undefined, metas: [], images: [], anchors: [], hasScript: false };
  const figures: OpenFigure[] = [];
  const imageFigures: Array<OpenFigure | undefined> = [];
  let depth = 0;
  let capturing = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        depth++;
        switch (name) {
          case 'img':
            scan.images.push({ attributes, caption: '' });
            imageFigures.push(figures[figures.length - 1]);
            break;
          case 'figure':
            figures.push({ depth, caption: undefined, captionDepth: -1 });
            break;
          case 'figcaption':
            for (const figure of figures) {
              if (figure.caption !== undefined) continue;
              figure.caption = '';
              figure.captionDepth = depth;
              capturing++;
            }
            break;
          case 'a':
            if (options.anchors && attributes.href !== undefined) scan.anchors.push(attributes);
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
      },
      ontext(text) {
        if (capturing === 0) return;
        for (const figure of figures) if (figure.captionDepth !== -1) figure.caption += text;
      },
      onclosetag() {
        if (capturing > 0) {
          for (const figure of figures) {
            if (figure.captionDepth !== depth) continue;
            figure.captionDepth = -1;
            capturing--;
          }
        }
        if (figures.length > 0 && figures[figures.length - 1]!.depth === depth) figures.pop();
        depth--;
      },
    },
    { xmlMode: false, decodeEntities: true },
  );
  parser.end(html);
  scan.images.forEach((image, i) => {
    image.caption = imageFigures[i]?.caption ?? '';
  });
  return scan;
}
