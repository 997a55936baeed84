import { describe, expect, it } from 'vitest';
import { extractArchivedPage, extractPage } from '../crawler/extract.js';
import { decodeBody, htmlBytes } from '../crawler/page-text.js';
import { defaultDisallowedDirectives } from '../crawler/x-robots-tag.js';

const pageUrl = 'https://example.org/gallery/cats/index.html';
const wit = { agentToken: 'wit', disallowed: new Set(defaultDisallowedDirectives) };

describe('extractPage', () => {
  it('takes the largest srcset candidate, lazy data-src, figcaptions, alt and title', () => {
    const { pairs } = extractPage(
      `<img srcset="small.png 320w, big.png 1280w, mid.png 640w" src="small.png" alt="tabby cat">
       <img srcset="a.png, b.png 2x" alt="two x">
       <figure><img src="data:image/gif;base64,R0lGOD" data-src="/lazy/cat.png" alt=""><figcaption> A  cat
          on a mat </figcaption></figure>
       <img src="plain.png" alt="black cat" title="Midnight the cat">`,
      pageUrl,
      wit,
    );
    expect(pairs).toEqual([
      { imageUrl: 'https://example.org/gallery/cats/big.png', text: 'tabby cat', textOrigin: 'alt' },
      { imageUrl: 'https://example.org/gallery/cats/b.png', text: 'two x', textOrigin: 'alt' },
      { imageUrl: 'https://example.org/lazy/cat.png', text: 'A cat on a mat', textOrigin: 'figcaption' },
      { imageUrl: 'https://example.org/gallery/cats/plain.png', text: 'black cat', textOrigin: 'alt' },
      { imageUrl: 'https://example.org/gallery/cats/plain.png', text: 'Midnight the cat', textOrigin: 'title' },
    ]);
  });

  it('resolves against <base href>, decodes entities, collapses whitespace', () => {
    const { pairs, links } = extractPage(
      `<head><base href="https://cdn.example.net/assets/"></head>
       <img src="../img/x.png" alt="  Tom &amp; Jerry&nbsp;&#x2014;\n cat   &lt;3 ">
       <a href="../about.html#team">about</a><a href="mailto:x@y">mail</a><a href="javascript:void 0">js</a><a href="/about.html">again</a>`,
      pageUrl,
      wit,
    );
    expect(pairs).toEqual([{ imageUrl: 'https://cdn.example.net/img/x.png', text: 'Tom & Jerry — cat <3', textOrigin: 'alt' }]);
    expect(links).toEqual(['https://cdn.example.net/about.html']);
  });

  it('reads a page as its DOM: a <base> after the images, a caption after its image, nested figures, unclosed elements', () => {
    const { pairs } = extractPage(
      `<figure><div><img src="outer.png" alt="same"><p>para<figure><img src="inner.png"></figure></div>
         <figcaption>Outer <b>bold</b> &amp; <script>x</script>cap<figcaption>nested</figcaption></figcaption><figcaption>second</figcaption>
       </figure>
       <figure><img src="late.png"><figcaption>same</figcaption>
       <base href="https://cdn.example.net/">`,
      pageUrl,
      wit,
    );
    expect(pairs).toEqual([
      { imageUrl: 'https://cdn.example.net/outer.png', text: 'same', textOrigin: 'alt' },
      { imageUrl: 'https://cdn.example.net/outer.png', text: 'Outer bold & xcapnested', textOrigin: 'figcaption' },
      { imageUrl: 'https://cdn.example.net/late.png', text: 'same', textOrigin: 'figcaption' },
    ]);
  });

  it('skips data: URIs, 1x1 pixels, empty alts and non-http sources', () => {
    const { pairs, looksScriptBuilt } = extractPage(
      `<img src="data:image/png;base64,iVBOR" alt="inline">
       <img src="/t.gif" width="1" height="1" alt="tracking">
       <img src="/empty.png" alt="   ">
       <img src="/no-alt.png">
       <img src="ftp://example.org/cat.png" alt="ftp cat">`,
      pageUrl,
      wit,
    );
    expect(pairs).toEqual([]);
    expect(looksScriptBuilt).toBe(false);
  });

  it("reads robots meta: noai refuses the page, nofollow drops links, other crawlers' rules are ignored", () => {
    expect(extractPage('<meta name="robots" content="noai"><img src="a.png" alt="cat">', pageUrl, wit).refusal).toEqual({
      directive: 'noai',
      refuses: 'resource',
    });
    expect(extractPage('<meta name="wit" content="noindex">', pageUrl, wit).refusal).toEqual({ directive: 'noindex', refuses: 'resource' });
    expect(extractPage('<meta name="otherbot" content="noindex">', pageUrl, wit).refusal).toBeUndefined();
    expect(extractPage('<meta name="robots" content="nofollow"><a href="/x">x</a>', pageUrl, wit).links).toEqual([]);
  });

  it('reads noimageai and noimageindex as refusing the images of a page, not its links, and honours only the directives given', () => {
    const html = (content: string) => `<meta name="robots" content="${content}"><img src="a.png" alt="cat"><a href="/next">next</a>`;
    for (const directive of ['noimageai', 'noimageindex']) {
      const page = extractPage(html(directive), pageUrl, wit);
      expect(page.refusal).toEqual({ directive, refuses: 'images' });
      expect(page.pairs).toEqual([]);
      expect(page.links).toEqual(['https://example.org/next']);
    }
    const onlyNoai = { agentToken: 'wit', disallowed: new Set(['noai'] as const) };
    expect(extractPage(html('noindex, noimageai'), pageUrl, onlyNoai).refusal).toBeUndefined();
    expect(extractPage(html('noindex, noimageai'), pageUrl, onlyNoai).pairs).toHaveLength(1);
    expect(extractPage(html('none'), pageUrl, wit).refusal).toEqual({ directive: 'noindex', refuses: 'resource' });
  });

  it('says a page with scripts and no images looks script-built', () => {
    expect(extractPage('<div id="app"></div><script src="/app.js"></script>', pageUrl, wit).looksScriptBuilt).toBe(true);
  });

  it('reads search results by selectors', () => {
    const html = `<img src="/logo.png" alt="logo">
      <div class="r"><img src="/1.png" alt="ignored alt"><span class="t">first cat</span></div>
      <div class="r"><img src="/2.png" alt="x"><span class="t"></span></div>
      <div class="r"><span class="t">no image</span></div>`;
    expect(extractPage(html, pageUrl, wit, { item: '.r', text: '.t' }).pairs).toEqual([
      { imageUrl: 'https://example.org/1.png', text: 'first cat', textOrigin: 'api' },
    ]);
    expect(extractPage(html, pageUrl, wit, { item: '.r' }).pairs.map((p) => p.text)).toEqual(['ignored alt', 'x']);
  });
});

describe('extractArchivedPage on the bytes of a page', () => {
  const archived = (bytes: Buffer, contentType: string) => extractArchivedPage(htmlBytes(bytes, contentType), pageUrl, wit).pairs;
  const decoded = (bytes: Buffer, contentType: string) => extractPage(decodeBody(bytes, contentType), pageUrl, wit).pairs;

  it('reads UTF-8 bytes as the decoded page: values, captions, entities beside non-ASCII text, a BOM, uppercase tags', () => {
    const page = Buffer.from(
      `\uFEFF<BASE HREF="https://cdn.example.net/café/"><IMG SRC="chat noir.png" ALT="Le chat “noir” &amp; l&eacute;ger 🐈">
       <figure><img src="日本.png"><FigCaption>猫 &lt;3 <b>ねこ</b>&nbsp;é</FigCaption></figure>
       <img src=x.png alt=’quoted’ title="naïve"><imgé src="no.png" alt="not an img">`,
    );
    const pairs = archived(page, 'text/html');
    expect(pairs).toEqual(decoded(page, 'text/html'));
    expect(pairs.map((pair) => pair.text)).toEqual(['Le chat “noir” & léger 🐈', '猫 <3 ねこ é', '’quoted’', 'naïve']);
    expect(pairs[0]!.imageUrl).toBe('https://cdn.example.net/caf%C3%A9/chat%20noir.png');
    // Without a <figure> the page is read with no element stack: the same pairs.
    const flat = Buffer.from(page.toString().replace(/<figure>.*<\/figure>/s, ''));
    expect(archived(flat, 'text/html; charset=utf-8')).toEqual(decoded(flat, 'text/html; charset=utf-8'));
    expect(archived(flat, 'text/html; charset=utf-8')).toHaveLength(3);
  });

  it('decodes the values of a single-byte charset page in that charset, and a Shift_JIS page whole', () => {
    const cp1251 = Buffer.concat([
      Buffer.from('<img src="a.png" alt="'),
      Buffer.from([0xea, 0xee, 0xf8, 0xea, 0xe0]),
      Buffer.from(' &amp; co">'),
    ]);
    expect(archived(cp1251, 'text/html; charset=windows-1251')).toEqual([
      { imageUrl: 'https://example.org/gallery/cats/a.png', text: 'кошка & co', textOrigin: 'alt' },
    ]);
    const shiftJis = Buffer.concat([Buffer.from('<img src="b.png" alt="'), Buffer.from([0x94, 0x4c]), Buffer.from('">')]);
    expect(archived(shiftJis, 'text/html; charset=Shift_JIS')).toEqual([
      { imageUrl: 'https://example.org/gallery/cats/b.png', text: '猫', textOrigin: 'alt' },
    ]);
  });
});
