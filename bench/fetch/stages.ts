import { join } from 'node:path';
import { PoliteFetcher } from '../../crawler/index.js';
import { ImageStore } from '../../fetch/index.js';
import {
  decodeToStoredSize,
  encodeJpeg,
  phashOfPixels,
  resolveProcessOptions,
  sha256Hex,
  validatedHeader,
  type NormalizedPixels,
} from '../../fetch/process-image.js';
import { openDb, recordImageOutcomes } from '../../db/index.js';
import type { CorpusImage } from './corpus.js';
import { imageVariant } from './variant.js';

/** CPU and wall time of one stage, per image, measured alone and one image at a time. */
export interface StageCost {
  stage: string;
  cpuMicros: number;
  wallMicros: number;
}

/**
 * Where an image's time goes: each stage of `wit fetch` run alone over the
 * same `n` images, one at a time, so a stage's CPU per image is not mixed
 * with the others'. The HTTP stage fetches from the bench server at `port`
 * (its own CPU is the server's, a child process, and is not counted). Images
 * refused by the checks (too small, too many pixels) stop after them, as in
 * `wit fetch`: the later stages are per image that got that far. Its store
 * and db are written in `dir`, left for the caller to delete.
 */
export async function stageCosts(images: CorpusImage[], n: number, port: number, dir: string): Promise<StageCost[]> {
  const settings = resolveProcessOptions({});
  const bodies = Array.from({ length: n }, (_, k) => imageVariant(images[k % images.length]!.bytes, k));
  const checked = await Promise.all(
    bodies.map(async (body) => ({ body, header: await validatedHeader(body, settings).catch(() => undefined) })),
  );
  const usable = checked.flatMap(({ body, header }) => (header ? [{ body, header }] : []));
  const costs: StageCost[] = [];
  const time = async (stage: string, count: number, work: (i: number) => unknown) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < count; i++) await work(i);
    const used = process.cpuUsage(cpu);
    costs.push({ stage, cpuMicros: (used.user + used.system) / count, wallMicros: ((performance.now() - started) * 1000) / count });
  };

  const fetcher = new PoliteFetcher({ allowPrivate: true, concurrency: 1, perHost: 1, hostDelayMillis: 0 });
  await time('HTTP GET', n, (k) =>
    fetcher.fetch(`http://127.0.0.1:${port}/i/${k}`, { purpose: 'image', maxBytes: 20 * 2 ** 20, onTooLarge: 'fail' }),
  );
  await fetcher.close();
  await time('sha256', n, (k) => sha256Hex(bodies[k]!));
  await time('header + checks', n, (k) => validatedHeader(bodies[k]!, settings).catch(() => undefined));
  const pixels: NormalizedPixels[] = [];
  await time('decode + resize', usable.length, async (i) =>
    pixels.push(await decodeToStoredSize(usable[i]!.body, usable[i]!.header, settings)),
  );
  await time('pHash', pixels.length, (i) => phashOfPixels(pixels[i]!));
  const jpegs: Buffer[] = [];
  await time('JPEG encode', pixels.length, async (i) => jpegs.push(await encodeJpeg(pixels[i]!)));

  const store = new ImageStore(join(dir, 'images'));
  store.prepare();
  await time('file write + rename', jpegs.length, (i) => store.put(sha256Hex(bodies[i]!), jpegs[i]!));
  const db = openDb(join(dir, 'wit.db'));
  const insert = db.prepare("INSERT INTO images (url, host) VALUES (?, '127.0.0.1')");
  db.transaction(() => bodies.forEach((_, k) => insert.run(`http://127.0.0.1/${k}`)))();
  const image = { sha256: 'ab'.repeat(32), phash: '0'.repeat(16), width: 256, height: 256, format: 'png', bytes: 1, path: 'ab/ab/x.jpg' };
  // As wit fetch writes them: 64 rows a transaction.
  const outcome = (k: number) => ({ id: k + 1, httpStatus: 200, image });
  await time(
    'SQLite row',
    n,
    (k) =>
      k % 64 === 0 &&
      recordImageOutcomes(
        db,
        bodies.slice(k, k + 64).map((_, i) => outcome(k + i)),
      ),
  );
  db.close();
  return costs;
}

export function formatStageCosts(costs: StageCost[]): string {
  const total = costs.reduce((sum, cost) => sum + cost.cpuMicros, 0);
  const rows = costs.map(
    (cost) =>
      `  ${cost.stage.padEnd(20)} ${cost.cpuMicros.toFixed(0).padStart(7)} µs CPU  ${cost.wallMicros.toFixed(0).padStart(7)} µs wall  ${((100 * cost.cpuMicros) / total).toFixed(0).padStart(3)}%`,
  );
  return [...rows, `  ${'sum'.padEnd(20)} ${total.toFixed(0).padStart(7)} µs CPU`].join('\n');
}
