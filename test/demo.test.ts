import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/index.js';
import { demoProfiles } from '../demo/demo-profile.js';
import { loadCatalog } from '../demo/openmoji-catalog.js';
import { hasChromium, viewReport } from './fixtures/report-browser.js';
import { tempDir } from './fixtures/temp-dir.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir('wit-demo-e2e-');
const out = join(dir, 'wit-demo');
let run: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  // `npm run demo -- --quick`, started from a folder that is not the repo, as a newcomer would after `npm install`.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['--prefix', repoRoot, 'run', 'demo', '--', '--quick', '--out', out], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 580_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
  if (run.status !== 0) console.error(`demo failed:\n${run.stdout}\n${run.stderr}`);
}, 600_000);

describe('npm run demo -- --quick', () => {
  it('exits 0 and prints every step, the artifact paths and the headline figures', () => {
    expect(run.status).toBe(0);
    for (let step = 1; step <= 8; step++) expect(run.stdout).toContain(`[${step}/8]`);
    expect(run.stdout).toMatch(/site: http:\/\/127\.0\.0\.1:\d+\//);
    for (const path of ['wit.db', 'shards', 'run', join('run', 'report.html')]) expect(run.stdout).toContain(join(out, path));
    expect(run.stdout).toMatch(/zero-shot top-1 \d+\.\d% on \d+ held-out classes/);
    expect(run.stdout).toMatch(/retrieval \(val.*R@1 \d/);
  });

  it('leaves every artifact: db, image store, shards with manifest, run folder with metrics and evals, report', () => {
    expect(existsSync(join(out, 'wit.db'))).toBe(true);
    expect(readdirSync(join(out, 'images')).length).toBeGreaterThan(0);
    const shards = readdirSync(join(out, 'shards'));
    expect(shards).toEqual(expect.arrayContaining(['manifest.json', 'sizes.json', 'train-000000.tar', 'val-000000.tar']));
    const manifest = JSON.parse(readFileSync(join(out, 'shards', 'manifest.json'), 'utf8'));
    expect(manifest.splits.train.samples).toBeGreaterThan(100);
    for (const file of ['config.json', 'vocab.json', 'metrics.jsonl', 'evals.jsonl', 'report.html'])
      expect(existsSync(join(out, 'run', file)), file).toBe(true);
    const kinds = readFileSync(join(out, 'run', 'evals.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).kind);
    expect(kinds.sort()).toEqual(['linear-probe', 'retrieval', 'zeroshot']);
  });

  it('crawled pairs of many kinds, and never an image the evaluation holds out', () => {
    const db = openDb(join(out, 'wit.db'), { readonly: true });
    try {
      const origins = db.prepare('SELECT DISTINCT text_origin FROM pairs').pluck().all();
      expect(origins).toEqual(expect.arrayContaining(['api', 'figcaption']));
      const catalog = loadCatalog({ groups: demoProfiles.quick.groups! });
      const urls = db.prepare('SELECT image_url FROM pairs').pluck().all() as string[];
      const served = new Set(
        urls.map((url) =>
          url
            .split('/')
            .pop()!
            .replace(/(-old)?\.png$/, ''),
        ),
      );
      expect(catalog.heldOut.filter((e) => served.has(e.hexcode))).toEqual([]);
      expect(db.prepare("SELECT count(*) FROM images WHERE state = 'failed'").pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it.skipIf(!hasChromium)('writes a report that chromium renders offline with every chart', async () => {
    const screenshot = join(dir, 'demo-report.png');
    const view = await viewReport(join(out, 'run', 'report.html'), screenshot);
    expect(view.consoleErrors).toEqual([]);
    expect(view.outsideRequests).toEqual([]);
    expect(view.charts).toEqual(
      expect.arrayContaining([
        'pairs-per-query',
        'curation',
        'top-queries',
        'image-failures',
        'image-size',
        'aspect-ratio',
        'caption-length',
        'text-origin',
        'loss',
        'temperature',
        'accuracy',
        'zeroshot-per-class',
        'confusion',
        'retrieval',
        'linear-probe',
      ]),
    );
    // 24 sample pairs, then the examples (dropped pairs, near-duplicate clusters, zero-shot right and wrong), every image decoded.
    const exampleImages = Object.values(view.examples).reduce((sum, kind) => sum + kind.decoded, 0);
    expect(view.decodedImages).toBe(24 + exampleImages);
    expect(view.examples.dropped?.decoded).toBeGreaterThan(0);
    expect(view.examples['zeroshot-wrong']?.decoded).toBeGreaterThan(0);
    // Retrieval: 6 captions, each with its 5 best val images (and its own after them when lower), its own image outlined.
    expect(view.examples.retrieval?.marked).toBe(6);
    expect(view.examples.retrieval?.figures).toBeGreaterThanOrEqual(30);
    expect(view.examples.retrieval?.decoded).toBe(view.examples.retrieval?.figures);
    expect(view.missingNotes).toEqual([]);
    expect(existsSync(screenshot)).toBe(true);
  });
});

if (!hasChromium)
  console.warn('\n*** SKIPPED the chromium check of the demo report: /usr/bin/chromium is missing (apt-get install -y chromium) ***\n');
