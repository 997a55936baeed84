/**
 * The bench's synthetic pairs: pHashes drawn as clusters around real ones
 * (openmoji emoji rendered by sharp, hashed with the fetcher's computePhash).
 * See main.ts for the distribution.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CurationCandidate } from '../../db/index.js';

/** xorshift32: the same rows on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function flipBits(hex: string, count: number, next: () => number): string {
  let hi = Number.parseInt(hex.slice(0, 8), 16);
  let lo = Number.parseInt(hex.slice(8), 16);
  for (let i = 0; i < count; i += 1) {
    const bit = next() % 64;
    if (bit < 32) lo = (lo ^ (1 << bit)) >>> 0;
    else hi = (hi ^ (1 << (bit - 32))) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export function syntheticRows(count: number, realHashes: readonly string[]): CurationCandidate[] {
  const next = rng(20261126);
  const vocabulary = Array.from({ length: 300 }, (_, i) => `w${(i * 7919).toString(36)}`);
  const queries = Array.from({ length: Math.ceil(count / 50) }, (_, i) => `query ${i}`);
  const placeholders = ['IMG_1234.jpg', 'logo', 'click here', 'untitled', '2019 05 12'];
  const rows: CurationCandidate[] = [];
  let clusterBase = '';
  let clusterLeft = 0;
  for (let i = 0; i < count; i += 1) {
    if (clusterLeft === 0) {
      clusterBase = flipBits(realHashes[next() % realHashes.length]!, 10 + (next() % 7), next);
      const r = next() % 100;
      clusterLeft = r < 70 ? 1 : r < 90 ? 2 : r < 97 ? 3 + (next() % 2) : 5 + (next() % 6);
    }
    clusterLeft -= 1;
    const reuse = rows.length > 0 && next() % 100 < 2 ? rows[next() % rows.length]! : undefined;
    const sha = reuse?.sha256 ?? Array.from({ length: 8 }, () => next().toString(16).padStart(8, '0')).join('');
    const shape = next() % 100;
    const words = 3 + (next() % 12);
    const kind = next() % 100;
    const text =
      kind < 3
        ? placeholders[kind % placeholders.length]!
        : kind < 5
          ? vocabulary[next() % 300]!
          : Array.from({ length: words }, () => vocabulary[next() % 300]).join(' ');
    rows.push({
      pairId: i + 1,
      text,
      textOrigin: 'alt',
      imageUrl: `http://img${i % 997}.example/${i}.jpg`,
      pageUrl: `http://site${i % 991}.example/page/${i >> 3}`,
      queryId: (next() % queries.length) + 1,
      query: queries[i % queries.length]!,
      imageState: shape === 0 ? 'failed' : 'ok',
      imageHost: `img${i % 997}.example`,
      sha256: sha,
      phash: reuse?.phash ?? flipBits(clusterBase, next() % 4, next),
      width: shape < 3 ? 40 : 200 + (next() % 800),
      height: shape === 3 ? 2000 : 200 + (next() % 600),
      path: `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}.jpg`,
      extra: null,
    });
  }
  return rows;
}

export async function realHashes(count: number): Promise<string[]> {
  const { computePhash } = await import('../../fetch/index.js');
  const sharp = (await import('sharp')).default;
  const svgDir = join(dirname(createRequire(import.meta.url).resolve('openmoji/package.json')), 'color', 'svg');
  const names = readdirSync(svgDir)
    .filter((name) => name.endsWith('.svg'))
    .sort();
  const step = Math.max(1, Math.floor(names.length / count));
  const hashes = new Set<string>();
  for (let i = 0; i < names.length && hashes.size < count; i += step) {
    const png = await sharp(readFileSync(join(svgDir, names[i]!)), { density: 72 })
      .resize(64, 64)
      .flatten({ background: '#ffffff' })
      .png()
      .toBuffer();
    hashes.add(await computePhash(png));
  }
  return [...hashes];
}
