import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CappedPairWriter, type PairCandidate } from '../crawler/index.js';
import { openDb } from '../db/index.js';
import { makeCrawlDb, pairCounts } from './fixtures/crawl-db.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir();

function candidate(i: number, text = `cat ${i}`): PairCandidate {
  return { imageUrl: `https://example.org/${i}.png`, text, textOrigin: 'alt', pageUrl: null };
}

function queryId(db: ReturnType<typeof openDb>, text: string): number {
  return (db.prepare('SELECT id FROM queries WHERE text = ?').get(text) as { id: number }).id;
}

describe('CappedPairWriter (the per-query cap)', () => {
  it('stores up to the cap, then counts the rest as over cap; duplicates are never stored twice', () => {
    const db = makeCrawlDb(join(dir, 'cap.db'), ['cat']);
    const writer = new CappedPairWriter(db, 5);
    const cat = queryId(db, 'cat');
    expect(writer.storeForQuery(cat, [candidate(1), candidate(1), candidate(2)])).toEqual({
      stored: 2,
      duplicate: 1,
      overCap: 0,
      queriesFilled: 0,
    });
    expect(
      writer.storeForQuery(
        cat,
        Array.from({ length: 10 }, (_, i) => candidate(10 + i)),
      ),
    ).toEqual({
      stored: 3,
      duplicate: 0,
      overCap: 7,
      queriesFilled: 1,
    });
    expect(pairCounts(db)).toEqual([{ text: 'cat', pair_count: 5, actual: 5 }]);
    expect(db.prepare('SELECT state FROM queries').get()).toEqual({ state: 'done' });
    db.close();
  });

  it('counts a pair against the matching query with the fewest pairs still under the cap', () => {
    const db = makeCrawlDb(join(dir, 'fewest.db'), ['cat', 'black cat', 'black']);
    const writer = new CappedPairWriter(db, 3);
    const [cat, blackCat, black] = ['cat', 'black cat', 'black'].map((text) => queryId(db, text)) as [number, number, number];
    writer.storeForQuery(cat, [candidate(1)]);
    writer.storeForQuery(black, [candidate(2), candidate(3)]);
    const all = [cat, blackCat, black];
    writer.store([{ pair: candidate(4, 'black cat 4'), queryIds: all }]);
    expect(db.prepare('SELECT query_id FROM pairs WHERE text = ?').get('black cat 4')).toEqual({ query_id: blackCat });
    writer.store([{ pair: candidate(5, 'black cat 5'), queryIds: all }]); // cat and black cat have 1, black 2: the first of the emptiest
    writer.store([{ pair: candidate(6, 'black cat 6'), queryIds: all }]);
    expect(pairCounts(db).map((row) => row.pair_count)).toEqual([2, 2, 2]); // black, black cat, cat
    writer.store(Array.from({ length: 6 }, (_, i) => ({ pair: candidate(7 + i, `black cat ${7 + i}`), queryIds: all })));
    expect(pairCounts(db)).toEqual([
      { text: 'black', pair_count: 3, actual: 3 },
      { text: 'black cat', pair_count: 3, actual: 3 },
      { text: 'cat', pair_count: 3, actual: 3 },
    ]);
    db.close();
  });

  it('holds across two connections writing the same db in turns', () => {
    const path = join(dir, 'two.db');
    makeCrawlDb(path, ['cat']).close();
    const first = openDb(path);
    const second = openDb(path);
    const writers = [new CappedPairWriter(first, 50), new CappedPairWriter(second, 50)];
    const cat = queryId(first, 'cat');
    for (let round = 0; round < 20; round++) {
      writers[round % 2]!.storeForQuery(
        cat,
        Array.from({ length: 7 }, (_, i) => candidate(round * 7 + i)),
      );
    }
    expect(pairCounts(first)).toEqual([{ text: 'cat', pair_count: 50, actual: 50 }]);
    first.close();
    second.close();
  });
});
