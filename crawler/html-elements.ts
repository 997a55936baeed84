import { Tokenizer, type TokenizerCallbacks, type QuoteType } from 'htmlparser2';

/** What a page's elements tell the scan, in document order. */
export interface ElementHandler {
  /** A start tag (name lowercased); returns whether its attributes are wanted. */
  openTagName(name: string): boolean;
  /** The start tag is complete: its attributes as written (names lowercased, the first of a repeated name), or `{}` when not wanted. */
  openTag(name: string, attributes: Record<string, string>): void;
  /** The last element opened and not closed yet is closed (explicitly or implied). */
  closeTag(): void;
  /** `<x/>`: for a raw-text element, the tokenizer reads plain text again (the element stays open). */
  selfClosed(): void;
  /** Whether text is wanted now: `text` is called only then. */
  readonly wantsText: boolean;
  /** A run of text, as written (entities not decoded). */
  text(raw: string): void;
  /** The elements whose closes the handler needs: a stream with no stack stops at the first of them. */
  readonly nestingTags: ReadonlySet<string>;
  /** The start tags a stream with no stack tells of; the others it skips (most of a page's tags). */
  readonly flatTags: ReadonlySet<string>;
}

/**
 * htmlparser2's tokenizer, with the element stack of its `Parser` (HTML mode):
 * tag names lowercased (A-Z only, as HTML's tokenizer does), the same implied closes (`<p>` closing an open `<p>`,
 * an end tag closing every element opened after its match, an end tag with no
 * match ignored), void elements closed at once, `<x/>` self-closing only in
 * SVG and MathML. Unlike the Parser, it reads no attribute and no text that
 * the handler does not want, and keeps its stack at the array's end.
 * `nesting: false`: no stack is kept, no close told and only the handler's
 * `flatTags` start tags, until one of its `nestingTags` opens: the stream
 * stops there and returns false (read the page again with nesting).
 */
export function streamElements(html: string, handler: ElementHandler, { nesting }: { nesting: boolean }): boolean {
  return new ElementStream(html, handler, nesting).run();
}

class ElementStream implements TokenizerCallbacks {
  private readonly tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: false }, this);
  /** A flat stream met one of the handler's nesting tags. */
  private stopped = false;
  /** Open elements, the current one last. */
  private readonly stack: string[] = [];
  /** Whether each SVG/MathML or HTML integration point opened is foreign content, the innermost last. */
  private readonly foreign: boolean[] = [false];
  private tagName = '';
  /** The handler is told of the start tag being read. */
  private told = false;
  private attributes: Record<string, string> | undefined;
  private attributeName = '';
  private attributeValue = '';

  constructor(
    private readonly html: string,
    private readonly handler: ElementHandler,
    private readonly nesting: boolean,
  ) {}

  run(): boolean {
    this.tokenizer.write(this.html);
    if (this.stopped) return false;
    this.tokenizer.end();
    return true;
  }

  onopentagname(start: number, endIndex: number): void {
    const name = lowerCaseAscii(this.html.slice(start, endIndex));
    if (this.nesting) this.push(name);
    else if (this.handler.nestingTags.has(name)) {
      this.stopped = true;
      this.tokenizer.pause();
      return;
    }
    this.told = this.nesting || this.handler.flatTags.has(name);
    if (!this.told) {
      this.attributes = undefined;
      return;
    }
    this.tagName = name;
    this.attributes = this.handler.openTagName(name) ? {} : undefined;
  }

  /** The start tag `name` closes what it implies, and opens its element unless it is void. */
  private push(name: string): void {
    const { stack } = this;
    const closes = openImpliesClose.get(name);
    if (closes) while (stack.length > 0 && closes.has(stack[stack.length - 1]!)) this.pop();
    if (!voidElements.has(name)) {
      stack.push(name);
      if (foreignElements.has(name)) this.foreign.push(true);
      else if (integrationElements.has(name)) this.foreign.push(false);
    }
  }

  onattribname(start: number, endIndex: number): void {
    if (this.attributes) this.attributeName = lowerCaseAscii(this.html.slice(start, endIndex));
  }

  onattribdata(start: number, endIndex: number): void {
    if (this.attributes) this.attributeValue += this.html.slice(start, endIndex);
  }

  onattribentity(): void {} // entities are not decoded here

  onattribend(_quote: QuoteType): void {
    const { attributes } = this;
    if (attributes && !Object.hasOwn(attributes, this.attributeName)) attributes[this.attributeName] = this.attributeValue;
    this.attributeValue = '';
  }

  onopentagend(): void {
    this.endOpenTag();
  }

  onselfclosingtag(): void {
    if (this.nesting && this.foreign[this.foreign.length - 1]) {
      const name = this.tagName;
      this.endOpenTag();
      if (this.stack[this.stack.length - 1] === name) this.pop();
    } else this.endOpenTag();
    this.handler.selfClosed();
  }

  onclosetag(start: number, endIndex: number): void {
    if (!this.nesting) return;
    const name = lowerCaseAscii(this.html.slice(start, endIndex));
    if (foreignElements.has(name) || integrationElements.has(name)) this.foreign.pop();
    // An unmatched </p> or </br> opens and closes an empty element: nothing the scan sees.
    if (voidElements.has(name)) return;
    const at = this.stack.lastIndexOf(name);
    if (at === -1) return;
    while (this.stack.length > at) this.pop();
  }

  ontext(start: number, endIndex: number): void {
    if (this.handler.wantsText) this.handler.text(this.html.slice(start, endIndex));
  }

  ontextentity(): void {} // entities are not decoded here
  oncdata(): void {} // a comment, in HTML
  oncomment(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}

  onend(): void {
    while (this.stack.length > 0) this.pop();
  }

  private endOpenTag(): void {
    if (!this.told) return;
    this.handler.openTag(this.tagName, this.attributes ?? noAttributes);
    this.attributes = undefined;
    if (this.nesting && voidElements.has(this.tagName)) this.handler.closeTag();
  }

  private pop(): void {
    this.stack.pop();
    this.handler.closeTag();
  }
}

/**
 * A tag or attribute name as HTML's tokenizer lowercases it: A-Z only. (In a
 * page read as bytes, other letters are UTF-8 bytes, which must stay as they are.)
 */
function lowerCaseAscii(name: string): string {
  const lower = name.toLowerCase();
  if (lower === name || !nonAscii.test(name)) return lower;
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

const nonAscii = /[\x80-\uffff]/;

const noAttributes: Record<string, string> = Object.freeze({}) as Record<string, string>;

// htmlparser2's Parser's tables (HTML mode), which this stack follows.
const pTag = new Set(['p']);
const formTags = new Set(['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea']);
const tableSectionTags = new Set(['thead', 'tbody']);
const ddtTags = new Set(['dd', 'dt']);
const rtpTags = new Set(['rt', 'rp']);
const pClosers = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset'];
const morePClosers = ['figcaption', 'figure', 'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul'];
const openImpliesClose = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['body', new Set(['head', 'link', 'script'])],
  ['li', new Set(['li'])],
  ['p', pTag],
  ...[...pClosers, ...morePClosers].map((name): [string, ReadonlySet<string>] => [name, pTag]),
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map((name): [string, ReadonlySet<string>] => [name, formTags]),
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', ddtTags],
  ['dt', ddtTags],
  ['rt', rtpTags],
  ['rp', rtpTags],
  ['tbody', tableSectionTags],
  ['tfoot', tableSectionTags],
]);
const voidElements = new Set([
  'area',
  'base',
  'basefont',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const foreignElements = new Set(['math', 'svg']);
const integrationElements = new Set(['mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml', 'foreignobject', 'desc', 'title']);
