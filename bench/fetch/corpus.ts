import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** One image of the bench corpus, as served. */
export interface CorpusImage {
  name: string;
  bytes: Buffer;
}

export interface CorpusOptions {
  /** Distinct images to make. @default 300 */
  count?: number;
  /** Where the made corpus is kept between runs. @default <tmpdir>/wit-bench-fetch-corpus-<count> */
  cacheDir?: string;
}

const openmojiSvgDir = join(dirname(createRequire(import.meta.url).resolve('openmoji/package.json')), 'color', 'svg');
const aspects = [4 / 3, 3 / 2, 1, 3 / 4, 16 / 9, 2 / 3];
/** Real raster images shipped by Debian packages on this machine. */
const debianImages = [
  '/usr/share/doc/nodejs/contributing/doc_img/compare-boxplot.png',
  '/usr/share/doc/nodejs/contributing/doc_img/scatter-plot.png',
  '/usr/share/doc/valgrind/html/images/kcachegrind_xtree.png',
  '/usr/share/doc/valgrind/html/images/dh-tree.png',
  '/usr/share/pixmaps/sympylogo_big.png',
  '/usr/share/info/gnupg-module-overview.png',
];

/**
 * The bench corpus: openmoji art rendered by sharp at 0.3 to 2 megapixels,
 * two thirds as photo-like JPEG (the art on a gradient with sensor-like noise,
 * so files have a photo's entropy), one third as flat-colour PNG, plus the
 * PNGs Debian ships here. Made once (about a minute) and cached.
 */
export async function loadCorpus(options: CorpusOptions = {}): Promise<CorpusImage[]> {
  const count = options.count ?? 300;
  const dir = options.cacheDir ?? join(tmpdir(), `wit-bench-fetch-corpus-${count}`);
  if (!existsSync(join(dir, 'complete'))) await makeCorpus(dir, count);
  return readdirSync(dir)
    .filter((name) => name !== 'complete')
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

async function makeCorpus(dir: string, count: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const svgs = readdirSync(openmojiSvgDir)
    .filter((name) => name.endsWith('.svg'))
    .sort();
  const random = seededRandom(42);
  for (let i = 0; i < count; i++) {
    const megapixels = 0.3 + 1.7 * random();
    const aspect = aspects[i % aspects.length]!;
    const width = Math.round(Math.sqrt(megapixels * 1e6 * aspect));
    const height = Math.round((megapixels * 1e6) / width);
    const svg = readFileSync(join(openmojiSvgDir, svgs[(i * 37) % svgs.length]!));
    const asPng = i % 3 === 2;
    const bytes = await renderArt(svg, width, height, i, asPng ? 0 : 24, random);
    const name = `${String(i).padStart(4, '0')}.${asPng ? 'png' : 'jpg'}`;
    writeFileSync(join(dir, name), asPng ? await sharp(bytes).png().toBuffer() : await sharp(bytes).jpeg({ quality: 85 }).toBuffer());
  }
  for (const [i, path] of debianImages.entries()) {
    if (existsSync(path)) writeFileSync(join(dir, `debian-${i}.png`), readFileSync(path));
  }
  writeFileSync(join(dir, 'complete.tmp'), new Date().toISOString());
  renameSync(join(dir, 'complete.tmp'), join(dir, 'complete'));
}

/** The emoji centred on a colour gradient, with ±noise per channel; PNG-encoded raw RGB. */
async function renderArt(svg: Buffer, width: number, height: number, seed: number, noise: number, random: () => number): Promise<Buffer> {
  const side = Math.round(Math.min(width, height) * 0.8);
  // openmoji SVGs are 72x72 units: density = side renders them at `side` px.
  const emoji = await sharp(svg, { density: side }).resize(side, side).png().toBuffer();
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const jitter = noise > 0 ? (random() - 0.5) * 2 * noise : 0;
      pixels[i] = clamp(((seed * 53) % 200) + (x * 55) / width + jitter);
      pixels[i + 1] = clamp(40 + (y * 180) / height + jitter);
      pixels[i + 2] = clamp(((seed * 97) % 255) * 0.6 + ((x + y) * 60) / (width + height) + jitter);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .composite([{ input: emoji, gravity: 'centre' }])
    .png({ compressionLevel: 1 })
    .toBuffer();
}

function clamp(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}

/** mulberry32: a small deterministic PRNG, so every run makes the same corpus. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
