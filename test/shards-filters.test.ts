import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { curatePairs, parseListFile, resolveCurateOptions } from '../curate/index.js';
import { isPlaceholderCaption } from '../curate/caption-checks.js';
import type { CurationCandidate } from '../db/index.js';

function pair(pairId: number, overrides: Partial<CurationCandidate> = {}): CurationCandidate {
  const sha = createHash('sha256').update(String(pairId)).digest('hex');
  return {
    pairId,
    text: `a photo of thing ${pairId}`,
    textOrigin: 'alt',
    imageUrl: `http://img.test/${pairId}.jpg`,
    pageUrl: 'http://site.test/p',
    queryId: 1,
    query: 'thing',
    imageState: 'ok',
    imageHost: 'img.test',
    sha256: sha,
    phash: sha.slice(16, 32),
    width: 300,
    height: 200,
    path: `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}.jpg`,
    extra: null,
    ...overrides,
  };
}

describe('caption placeholders', () => {
  it.each([
    'IMG_1234.jpg',
    'photo.JPEG',
    'DSC01234',
    'image 3',
    'Untitled',
    'click here',
    'https://example.com/a',
    'www.example.com',
    '2019-05-12',
    'LOGO',
    'n/a',
  ])('flags %j', (caption) => expect(isPlaceholderCaption(caption)).toBe(true));
  it.each(['a logo of a coffee company', 'image of a cat on a mat', 'the 1984 olympic stadium', 'click beetle on a leaf'])(
    'keeps %j',
    (caption) => expect(isPlaceholderCaption(caption)).toBe(false),
  );
});

describe('curatePairs', () => {
  it('reads list files without comments or blanks', () => {
    expect(parseListFile('# hosts\nexample.com\n\n  ads.test  # trailing\r\n')).toEqual(['example.com', 'ads.test']);
  });

  it('blocks phrases as whole tokens and hosts with their subdomains', () => {
    const pairs = [
      pair(1, { text: 'a hot dog stand at night' }),
      pair(2, { text: 'a hotdog stand at night' }),
      pair(3, { imageUrl: 'http://cdn.ads.test/3.jpg', imageHost: 'cdn.ads.test' }),
      pair(4, { imageUrl: 'http://badads.test/4.jpg', imageHost: 'badads.test' }),
    ];
    const curated = curatePairs(pairs, resolveCurateOptions({ blockWords: ['Hot Dog'], blockHosts: ['ads.test'], valFraction: 0 }));
    expect(curated.dropReason).toEqual(['blocked_word', undefined, 'blocked_host', undefined]);
  });

  it('caps a query exactly in cap mode and about cap/n in sample mode, seeded', () => {
    const pairs = Array.from({ length: 2000 }, (_, i) => pair(i + 1));
    const capped = curatePairs(pairs, resolveCurateOptions({ capPerQuery: 500 }));
    expect(capped.train.length + capped.val.length).toBe(500);
    const sampled = curatePairs(pairs, resolveCurateOptions({ capPerQuery: 500, balance: 'sample', seed: 3 }));
    const kept = sampled.train.length + sampled.val.length;
    expect(kept).toBeGreaterThan(420);
    expect(kept).toBeLessThan(580);
    const again = curatePairs(pairs, resolveCurateOptions({ capPerQuery: 500, balance: 'sample', seed: 3 }));
    expect(again.train).toEqual(sampled.train);
    const otherSeed = curatePairs(pairs, resolveCurateOptions({ capPerQuery: 500, balance: 'sample', seed: 4 }));
    expect(otherSeed.train).not.toEqual(sampled.train);
  });

  it('does not balance pairs with no query (a URL list kept with --keep-unmatched)', () => {
    const pairs = Array.from({ length: 2000 }, (_, i) => pair(i + 1, i % 2 === 0 ? { queryId: null, query: null } : {}));
    const curated = curatePairs(pairs, resolveCurateOptions({ capPerQuery: 500 }));
    const kept = [...curated.train, ...curated.val].map((row) => pairs[row]!);
    expect(kept.filter((p) => p.queryId === null).length).toBe(1000);
    expect(kept.filter((p) => p.queryId === 1).length).toBe(500);
  });

  it('splits about val-fraction of clusters to val, independent of the seed', () => {
    const pairs = Array.from({ length: 4000 }, (_, i) => pair(i + 1));
    const a = curatePairs(pairs, resolveCurateOptions({ valFraction: 0.1, seed: 1 }));
    const b = curatePairs(pairs, resolveCurateOptions({ valFraction: 0.1, seed: 2 }));
    expect(a.val.length).toBeGreaterThan(300);
    expect(a.val.length).toBeLessThan(500);
    expect([...a.val].sort((x, y) => x - y)).toEqual([...b.val].sort((x, y) => x - y));
    expect(a.val).not.toEqual(b.val);
  });

  it('refuses bad options with the option name', () => {
    expect(() => resolveCurateOptions({ nearDupDistance: 11 })).toThrow(/nearDupDistance/);
    expect(() => resolveCurateOptions({ valFraction: 2 })).toThrow(/valFraction/);
  });
});
