import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSite } from '../demo/index.js';
import { evalClassFolder } from '../demo/class-names.js';
import { startDemoSite } from '../demo/demo-site.js';
import { writeEvalImages } from '../demo/eval-images.js';
import { loadCatalog } from '../demo/openmoji-catalog.js';
import { tempDir } from './fixtures/temp-dir.js';

/** The demo site's JSON search answer, as a test reads it. */
interface SearchAnswer {
  total: number;
  nextPage: number | null;
  results: Array<{ text: string; imageUrl: string }>;
}

const dir = tempDir('wit-demo-site-');
const catalog = loadCatalog({ groups: ['animals-nature', 'food-drink'] });
let site: DemoSite;

beforeAll(async () => {
  site = await startDemoSite({ catalog });
});
afterAll(() => site.close());

async function get(path: string): Promise<Response> {
  return fetch(new URL(path, site.url));
}

async function html(path: string): Promise<cheerio.CheerioAPI> {
  const res = await get(path);
  expect(res.status, path).toBe(200);
  return cheerio.load(await res.text());
}

describe('the demo website', () => {
  it('holds out some emoji of every class and serves the rest', () => {
    expect(catalog.classes).toContain('animal-mammal');
    const heldOut = new Set(catalog.heldOut.map((e) => e.hexcode));
    expect(catalog.served.some((e) => heldOut.has(e.hexcode))).toBe(false);
    for (const cls of catalog.classes)
      expect(
        catalog.heldOut.some((e) => e.subgroup === cls),
        cls,
      ).toBe(true);
  });

  it('listens on 127.0.0.1 and serves robots.txt disallowing /private/', async () => {
    expect(site.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await (await get('/robots.txt')).text()).toContain('Disallow: /private/');
  });

  it('has subgroup pages whose images carry the annotation as alt text, plus a logo icon', async () => {
    const $ = await html('/g/animals-nature/animal-mammal/');
    const alts = $('img')
      .map((_, el) => $(el).attr('alt'))
      .get();
    expect(alts).toContain('logo');
    const mammals = catalog.served.filter((e) => e.subgroup === 'animal-mammal');
    expect(alts).toContain(mammals[0]!.annotation);
    expect($('a[rel=next]').attr('href')).toBe('/g/animals-nature/animal-mammal/?page=2');
    const page2 = await html('/g/animals-nature/animal-mammal/?page=2');
    expect(
      page2('img')
        .map((_, el) => page2(el).attr('alt'))
        .get(),
    ).toContain(mammals[24]!.annotation);
  });

  it('serves real PNG images whose shorter side is at least 128 px', async () => {
    const $ = await html('/g/food-drink/food-fruit/');
    const src = $('main .grid img').first().attr('src')!;
    const res = await get(src);
    expect(res.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(meta.format).toBe('png');
    expect(Math.min(meta.width, meta.height)).toBeGreaterThanOrEqual(128);
  });

  it('gives emoji pages a figure whose caption names the emoji', async () => {
    const emoji = catalog.served.find((e) => e.annotation === 'dog')!;
    const $ = await html(`/e/${emoji.hexcode}/`);
    expect($('figure figcaption').first().text()).toMatch(/^dog: /);
  });

  it('never serves a held-out emoji, as a page, an image or a search hit', async () => {
    const held = catalog.heldOut[0]!;
    expect((await get(`/e/${held.hexcode}/`)).status).toBe(404);
    for (const size of [128, 192, 256, 320]) expect((await get(`/images/${size}/${held.hexcode}.png`)).status).toBe(404);
    expect((await get(`/media/${held.hexcode}.png`)).status).toBe(404);
    const body = (await (await get(`/api/search?q=${encodeURIComponent(held.annotation)}`)).json()) as SearchAnswer;
    expect(body.results.map((r) => r.text)).not.toContain(held.annotation);
  });

  it('answers search as JSON, paginated, and as HTML', async () => {
    const first = (await (await get('/api/search?q=food')).json()) as SearchAnswer;
    expect(first.total).toBeGreaterThan(20);
    expect(first.results).toHaveLength(20);
    expect(first.nextPage).toBe(2);
    expect(first.results[0]!.imageUrl.startsWith(site.url)).toBe(true);
    const last = (await (await get(`/api/search?q=food&page=${Math.ceil(first.total / 20)}`)).json()) as SearchAnswer;
    expect(last.nextPage).toBeNull();
    const $ = await html('/search?q=food');
    expect($('h1').text()).toContain(`${first.total} results`);
  });

  it('has the noise of a real site: the same image under two URLs, 404 links, a truncated PNG', async () => {
    const $ = await html('/g/animals-nature/');
    const featured = $('figure img').first().attr('src')!;
    const hexcode = featured.split('/').pop()!.replace('.png', '');
    const gridSrc = catalog.served.find((e) => e.hexcode === hexcode)!;
    const canonical = (await html(`/e/${gridSrc.hexcode}/`))('figure img').first().attr('src')!;
    const [a, b] = await Promise.all([get(featured).then((r) => r.arrayBuffer()), get(canonical).then((r) => r.arrayBuffer())]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);

    expect((await get($('a[href$="archive/"]').attr('href')!)).status).toBe(404);
    const broken = await get($('img[src^="/images/broken/"]').attr('src')!);
    expect(broken.status).toBe(200);
    await expect(
      sharp(Buffer.from(await broken.arrayBuffer()))
        .raw()
        .toBuffer(),
    ).rejects.toThrow();
  });

  it('writes the held-out emoji as an image folder, one sub-folder per class', async () => {
    const evalDir = join(dir, 'eval');
    expect(await writeEvalImages(catalog, evalDir)).toBe(catalog.heldOut.length);
    expect(readdirSync(evalDir).sort()).toEqual(catalog.classes.map(evalClassFolder).sort());
    expect(evalClassFolder('animal-marine')).toBe('sea_animal');
    const mammals = readdirSync(join(evalDir, 'animal'));
    expect(mammals.length).toBeGreaterThan(0);
    const meta = await sharp(join(evalDir, 'animal', mammals[0]!)).metadata();
    expect(meta.width).toBe(256);
  });
});
