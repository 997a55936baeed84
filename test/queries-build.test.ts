import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type WitDb } from '../db/index.js';
import { WitError } from '../core/index.js';
import { buildQueries, countCorpora, exportQueries, importQueries, type CorpusCounts } from '../queries/index.js';
import { highPmiBigrams, bigramPmi } from '../queries/corpus-counts.js';
import { PairCounter } from '../queries/pair-counter.js';
import { WordCounter } from '../queries/word-counter.js';
import { writeBinaryFile, writeGlossCorpus, writeLines } from './fixtures/queries-files.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-queries-');
let dbCount = 0;

function freshDb(): WitDb {
  return openDb(join(dir, `wit-${++dbCount}.db`));
}

function originOf(db: WitDb, text: string): string | undefined {
  return (db.prepare('SELECT origin FROM queries WHERE text = ?').get(text) as { origin: string } | undefined)?.origin;
}

describe('buildQueries from WordNet', () => {
  it('fills --limit with the most used lemmas first', async () => {
    const db = freshDb();
    const result = await buildQueries(db, { wordnet: true, limit: 50 });
    expect(result.total).toBe(50);
    expect(result.limitReached).toBe(true);
    const texts = [...exportQueries(db)].join('').trim().split('\n');
    expect(texts).toHaveLength(50);
    expect(texts).toContain('man');
    expect(texts).not.toContain('golden retriever');
    expect(db.prepare('SELECT DISTINCT origin FROM queries').all()).toEqual([{ origin: 'wordnet' }]);
    db.close();
  });
});

describe('corpus counts', () => {
  let counts: CorpusCounts;
  let corpus: string;

  beforeAll(async () => {
    corpus = writeGlossCorpus(dir, 'half-glosses.txt', 2);
    counts = await countCorpora([corpus], { maxTrackedUnigrams: 1_000_000, maxTrackedBigrams: 4_000_000 });
  });

  it('ranks a true collocation above chance pairs by PMI in WordNet glosses', () => {
    expect(counts.tokens).toBeGreaterThan(700_000);
    expect(counts.pairs.undercountBound).toBe(0);
    expect(counts.words.get('dog')).toBeGreaterThan(50);
    expect(bigramPmi(counts, 'united states')).toBeGreaterThan(100);
    expect(bigramPmi(counts, 'of the')).toBeLessThan(30);
    const ranked = highPmiBigrams(counts, 10, 0).map((b) => b.text);
    expect(ranked.indexOf('united states')).toBeGreaterThanOrEqual(0);
    expect(ranked.indexOf('united states')).toBeLessThan(ranked.indexOf('the united'));
    expect(ranked.indexOf('united states')).toBeLessThan(ranked.indexOf('of the'));
    const kept = highPmiBigrams(counts, 10, 30).map((b) => b.text);
    expect(kept).toContain('united states');
    expect(kept).toContain('carbon dioxide');
    expect(kept).not.toContain('of the');
  });

  it('builds unigrams, bigrams, then WordNet lemmas; a re-run adds only new queries and keeps crawl state', async () => {
    const db = freshDb();
    const result = await buildQueries(db, { corpusPaths: [corpus], minCount: 50, bigramMinCount: 10, wordnet: true });
    expect(originOf(db, 'the')).toBe('unigram');
    expect(originOf(db, 'dog')).toBe('unigram');
    expect(originOf(db, 'united states')).toBe('bigram');
    expect(originOf(db, 'golden retriever')).toBe('wordnet');
    expect(originOf(db, 'golden_retriever')).toBeUndefined();
    expect(result.added.unigram).toBe(result.candidates.unigram);
    expect(result.candidates.wordnet).toBeGreaterThan(140_000);
    expect(result.corpus?.tokens).toBe(counts.tokens);
    const spans = db.prepare('SELECT origin, min(id) AS first FROM queries GROUP BY origin ORDER BY first').all() as { origin: string }[];
    expect(spans.map((row) => row.origin)).toEqual(['unigram', 'bigram', 'wordnet']);

    db.prepare("UPDATE queries SET state = 'done', pair_count = 17, cursor = 'page=3' WHERE text = 'dog'").run();
    const extra = writeLines(dir, 'rerun-extra.txt', ['dog', 'Golden Retriever', 'a brand new query']);
    const again = await buildQueries(db, { wordnet: true, extraPaths: [extra] });
    expect(again.added).toMatchObject({ wordnet: 0, user: 1 });
    expect(again.total).toBe(result.total + 1);
    expect(db.prepare("SELECT state, pair_count, cursor, origin FROM queries WHERE text = 'dog'").get()).toEqual({
      state: 'done',
      pair_count: 17,
      cursor: 'page=3',
      origin: 'unigram',
    });
    const record = JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'queries.build'").get() as { value: string }).value);
    expect(record.options).toMatchObject({ wordnet: true, extraPaths: [extra], minCount: 100, maxTrackedBigrams: 12_000_000 });
    db.close();
  });

  it('keeps memory bounded by pruning rare words, with an undercount bound', () => {
    const dropped: number[] = [];
    const words = new WordCounter(100, (mask) => dropped.push(mask.reduce((sum, bit) => sum + bit, 0)));
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 1000; i++) words.add(`rare${round}-${i}`);
      words.add('frequent');
      words.add('frequent');
    }
    expect(words.size).toBeLessThanOrEqual(100);
    expect(words.prunes).toBe(dropped.length);
    expect(dropped.length).toBeGreaterThan(0);
    expect(words.get('frequent')).toBeLessThanOrEqual(100);
    expect(words.get('frequent') + words.undercountBound).toBeGreaterThanOrEqual(100);
    expect(words.wordOf(words.idOf('frequent')!)).toBe('frequent');
  });

  it('keeps bigram pairs bounded, and drops the pairs of pruned words', () => {
    const pairs = new PairCounter(1000);
    for (let i = 0; i < 10_000; i++) pairs.add(i, i + 1);
    for (let i = 0; i < 500; i++) pairs.add(7, 8);
    expect(pairs.size).toBeLessThanOrEqual(1000);
    expect(pairs.get(7, 8) + pairs.undercountBound).toBeGreaterThanOrEqual(501);
    expect(pairs.get(7, 8)).toBeGreaterThan(400);
    const mask = new Uint8Array(10_001);
    mask[7] = 1;
    pairs.dropWords(mask, 3);
    expect(pairs.get(7, 8)).toBe(0);
    expect([...pairs.entries()].every(([first, second]) => first !== 7 && second !== 7)).toBe(true);
  });

  it('counts the same with tight caps as without for frequent terms, within the bound', async () => {
    const capped = await countCorpora([corpus], { maxTrackedUnigrams: 5_000, maxTrackedBigrams: 20_000 });
    expect(capped.words.size).toBeLessThanOrEqual(5_000);
    expect(capped.pairs.size).toBeLessThanOrEqual(20_000);
    expect(capped.pairs.undercountBound).toBeGreaterThan(0);
    for (const word of ['the', 'of', 'dog', 'water']) {
      expect(capped.words.get(word)).toBeLessThanOrEqual(counts.words.get(word));
      expect(capped.words.get(word) + capped.words.undercountBound).toBeGreaterThanOrEqual(counts.words.get(word));
    }
    const united = (c: CorpusCounts) => c.pairs.get(c.words.idOf('united')!, c.words.idOf('states')!);
    expect(united(capped)).toBeLessThanOrEqual(united(counts));
    expect(united(capped) + capped.pairs.undercountBound).toBeGreaterThanOrEqual(united(counts));
  });
});

describe('corpus, titles and user files', () => {
  it('reads gzip corpora, empty and huge lines', async () => {
    const db = freshDb();
    const huge = `${'zebra crossing '.repeat(100_000)}`;
    const corpus = writeLines(dir, 'mixed.txt.gz', ['', 'zebra crossing', '', huge, '   ', 'Zebra Crossing!']);
    const result = await buildQueries(db, { corpusPaths: [corpus], minCount: 3, bigramPmi: 1 });
    expect(result.corpus?.tokens).toBe(4 + 200_000);
    expect(originOf(db, 'zebra')).toBe('unigram');
    expect(originOf(db, 'zebra crossing')).toBe('bigram');
    db.close();
  });

  it('takes titles with enough views, skipping malformed lines, and user queries last', async () => {
    const db = freshDb();
    const titles = writeLines(dir, 'titles.tsv', [
      'New_York_City\t500',
      'Obscure_Page\t3',
      'broken line',
      'Golden_Retriever\t70',
      'Dog\t1000',
    ]);
    const extra = writeLines(dir, 'extra.txt', ['Dog', 'My Own Query', '', 'golden retriever']);
    const result = await buildQueries(db, { titlesPath: titles, minViews: 70, extraPaths: [extra] });
    expect(originOf(db, 'new york city')).toBe('title');
    expect(originOf(db, 'golden retriever')).toBe('title');
    expect(originOf(db, 'dog')).toBe('title');
    expect(originOf(db, 'obscure page')).toBeUndefined();
    expect(originOf(db, 'my own query')).toBe('user');
    expect(result.malformedTitleLines).toBe(1);
    expect(result.added).toMatchObject({ title: 3, user: 1 });
    db.close();
  });

  it('imports and exports one query a line, by origin', async () => {
    const db = freshDb();
    const file = writeLines(dir, 'mine.txt', ['Red Panda', 'red  panda', 'Snow Leopard', '']);
    const result = await importQueries(db, file);
    expect(result).toEqual({ added: 2, candidates: 3, total: 2 });
    expect([...exportQueries(db, 'user')].join('')).toBe('red panda\nsnow leopard\n');
    expect([...exportQueries(db, 'wordnet')].join('')).toBe('');
    db.close();
  });
});

describe('bad input', () => {
  it('names a corpus file that does not exist, before anything is stored', async () => {
    const db = freshDb();
    const missing = join(dir, 'no-such-corpus.txt');
    const build = buildQueries(db, { corpusPaths: [missing], wordnet: true });
    await expect(build).rejects.toThrow(WitError);
    await expect(buildQueries(db, { corpusPaths: [missing] })).rejects.toThrow(/no-such-corpus\.txt does not exist/);
    expect(db.prepare('SELECT count(*) AS n FROM queries').get()).toEqual({ n: 0 });
    db.close();
  });

  it('names a binary corpus file, plain or gzipped', async () => {
    const db = freshDb();
    const binary = writeBinaryFile(dir, 'photo.png');
    await expect(buildQueries(db, { corpusPaths: [binary] })).rejects.toThrow(/photo\.png looks binary/);
    const { gzipSync } = await import('node:zlib');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'photo.png.gz'), gzipSync(readFileSync(binary)));
    await expect(buildQueries(db, { corpusPaths: [join(dir, 'photo.png.gz')] })).rejects.toThrow(/photo\.png\.gz looks binary/);
    await expect(importQueries(db, binary)).rejects.toThrow(WitError);
    db.close();
  });

  it('names a corrupt gzip file', async () => {
    const db = freshDb();
    const { writeFileSync } = await import('node:fs');
    const corrupt = join(dir, 'corrupt.txt.gz');
    writeFileSync(corrupt, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 7)]));
    await expect(buildQueries(db, { corpusPaths: [corrupt] })).rejects.toThrow(/corrupt\.txt\.gz could not be read/);
    db.close();
  });
});
