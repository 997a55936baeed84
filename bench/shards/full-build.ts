/**
 * The whole `buildShards` on a real SQLite file and image store: N synthetic
 * pairs (the same rows as the in-memory bench) inserted into a temp db, their
 * images pointing at 64 real stored JPEGs (openmoji through the fetcher's
 * `processImage` and `ImageStore`), then every phase timed: SQLite read,
 * decisions, tar writing with fsync per shard, and the `curation` rewrite.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageStore, processImage } from '../../fetch/index.js';
import { buildShards } from '../../curate/index.js';
import { openDb } from '../../db/index.js';
import { syntheticRows } from './synthetic-rows.js';

export interface FullBuildResult {
  rows: number;
  phaseSecs: Array<[string, number]>;
  train: number;
  val: number;
  shardBytes: number;
  peakRssMiB: number;
}

export async function measureFullBuild(rowCount: number, hashes: readonly string[]): Promise<FullBuildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wit-bench-shards-full-'));
  try {
    const store = new ImageStore(join(dir, 'images'));
    store.prepare();
    const paths = await storedImages(store, 64);
    const db = openDb(join(dir, 'wit.db'));
    try {
      insertRows(db, syntheticRows(rowCount, hashes), paths);
      const result = await buildShards(db, { imagesDir: store.dir, outDir: join(dir, 'shards') });
      const shardBytes = readdirSync(join(dir, 'shards')).reduce((sum, name) => sum + statSync(join(dir, 'shards', name)).size, 0);
      return {
        rows: rowCount,
        phaseSecs: result.phaseSecs,
        train: result.train,
        val: result.val,
        shardBytes,
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storedImages(store: ImageStore, count: number): Promise<string[]> {
  const sharp = (await import('sharp')).default;
  const paths: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const png = await sharp({
      create: { width: 96, height: 96, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 } },
    })
      .png()
      .toBuffer();
    const processed = await processImage(png);
    paths.push(store.put(processed.sha256, processed.jpeg));
  }
  return paths;
}

function insertRows(db: ReturnType<typeof openDb>, rows: ReturnType<typeof syntheticRows>, paths: readonly string[]): void {
  const insertQuery = db.prepare("INSERT OR IGNORE INTO queries (id, text, origin) VALUES (?, ?, 'user')");
  const insertImage = db.prepare(
    'INSERT OR IGNORE INTO images (url, host, state, sha256, phash, width, height, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertPair = db.prepare("INSERT INTO pairs (id, image_url, text, text_origin, page_url, query_id) VALUES (?, ?, ?, 'alt', ?, ?)");
  db.transaction(() => {
    rows.forEach((row, i) => {
      insertQuery.run(row.queryId, `query ${row.queryId}`);
      insertImage.run(row.imageUrl, row.imageHost, row.imageState, row.sha256, row.phash, row.width, row.height, paths[i % paths.length]);
      insertPair.run(row.pairId, row.imageUrl, row.text, row.pageUrl, row.queryId);
    });
  })();
}
