import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RetrievalExamplesFile } from '../eval/index.js';
import { writeReport } from '../report/index.js';
import { hasChromium, viewReport } from './fixtures/report-browser.js';
import { makeReportInputs, type ReportInputs } from './fixtures/report-inputs.js';
import { runWit } from './fixtures/run-wit.js';
import { tempDir } from './fixtures/temp-dir.js';

const dir = tempDir('wit-report-');
let inputs: ReportInputs;
let retrieval: RetrievalExamplesFile;
/** Retrieval example figures: each caption's 5 best images, and its own image after them when it ranks lower. */
let retrievalFigures: number;

const everyChart = [
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
  'learning-rate',
  'throughput',
  'zeroshot-per-class',
  'confusion',
  'retrieval',
  'linear-probe',
];

beforeAll(async () => {
  inputs = await makeReportInputs(dir);
  retrieval = JSON.parse(readFileSync(join(inputs.runDir, 'retrieval-examples-20261126T120000000Z.json'), 'utf8')) as RetrievalExamplesFile;
  retrievalFigures = retrieval.examples.reduce((sum, e) => sum + e.top.length + (e.rank >= e.top.length ? 1 : 0), 0);
});

describe('wit report', () => {
  it('writes one self-contained file with every chart, from the CLI', () => {
    const result = runWit([
      'report',
      '--run',
      inputs.runDir,
      '--db',
      inputs.dbPath,
      '--shards',
      inputs.shardsDir,
      '--images',
      inputs.imagesDir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const path = join(inputs.runDir, 'report.html');
    expect(result.stdout).toContain(path);
    const html = readFileSync(path, 'utf8');
    for (const name of everyChart) expect(html, name).toContain(`data-chart="${name}"`);
    expect(html).not.toMatch(/<script|<link|src="http|href="http|url\(/i);
    // 24 samples, 4 dropped pairs for each of the 2 reasons, one near-duplicate cluster of 2, 6 zero-shot examples, the retrieval examples.
    expect(html.match(/src="data:image\/jpeg;base64,/g)?.length).toBe(24 + 8 + 2 + 6 + retrievalFigures);
    expect(html).toContain('sample caption 0');
    expect(html).not.toContain('class="missing"');
  });

  it('says which inputs are missing instead of failing', async () => {
    const bare = join(dir, 'bare-run');
    mkdirSync(bare);
    const out = join(dir, 'bare.html');
    await writeReport({ runDir: bare, outPath: out });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('No database');
    expect(html).toContain('No training metrics');
    expect(html).toContain('No zero-shot evaluation');
    expect(html).toContain('No retrieval evaluation');
    expect(html).not.toContain('<svg');
  });

  it('shows 6 captions spread over the split, each with its 5 best images and where its own image ranked', async () => {
    // The fixture's captions are turned from their images by varying angles: some find their own image first, some do not have it in the top 5.
    expect(retrieval.examples).toHaveLength(6);
    expect(retrieval.examples.some((e) => e.rank === 0 && e.top[0]!.sample === e.sample)).toBe(true);
    expect(retrieval.examples.some((e) => e.rank >= 5 && e.top.every((t) => t.sample !== e.sample))).toBe(true);
    const out = join(dir, 'retrieval.html');
    await writeReport({ runDir: inputs.runDir, outPath: out });
    const html = readFileSync(out, 'utf8');
    for (const e of retrieval.examples) expect(html).toContain(`“${e.caption}” <span>own image ranked #${e.rank + 1} of 30</span>`);
    expect(html.match(/<figure class="marked">/g)).toHaveLength(6);
  });

  it('finds the retrieval images in --shards when the folder the eval ranked is gone, and says so when neither holds them', async () => {
    const moved = join(dir, 'moved-run');
    cpSync(inputs.runDir, moved, { recursive: true });
    const file = join(moved, 'retrieval-examples-20261126T120000000Z.json');
    writeFileSync(file, JSON.stringify({ ...retrieval, shardsDir: join(dir, 'gone-shards') }));
    const withShards = join(dir, 'moved-with-shards.html');
    await writeReport({ runDir: moved, shardsDir: inputs.shardsDir, outPath: withShards });
    expect(
      readFileSync(withShards, 'utf8')
        .match(/data-examples="retrieval"[\s\S]*?<\/div>/g)
        ?.join('')
        .match(/<img /g)?.length,
    ).toBe(retrievalFigures);
    const without = join(dir, 'moved-without.html');
    await writeReport({ runDir: moved, outPath: without });
    const html = readFileSync(without, 'utf8');
    expect(html).toContain('No images of these examples');
    expect(html).toContain(retrieval.examples[0]!.caption);
  });

  it('leaves out a metrics line cut short by a kill', async () => {
    const run = join(dir, 'cut-run');
    mkdirSync(run);
    writeFileSync(join(run, 'metrics.jsonl'), '{"step":1,"loss":3.1}\n{"step":2,"loss":2.9}\n{"step":3,"lo');
    const out = join(dir, 'cut.html');
    await writeReport({ runDir: run, outPath: out });
    expect(readFileSync(out, 'utf8')).toContain('data-chart="loss"');
  });

  it('names the flag when the run folder or the db does not exist, and writes nothing', () => {
    const noRun = runWit(['report', '--run', join(dir, 'nope')]);
    expect(noRun.status).toBe(1);
    expect(noRun.stderr).toMatch(/run folder .*nope does not exist/);
    const noDb = runWit(['report', '--run', inputs.runDir, '--db', join(dir, 'nope.db'), '--out', join(dir, 'x.html')]);
    expect(noDb.status).toBe(1);
    expect(noDb.stderr).toContain('--db');
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});

describe.skipIf(!hasChromium)('report.html in headless chromium', () => {
  it('renders every chart and sample image, with no console error and no request outside the file', async () => {
    const path = join(dir, 'full.html');
    await writeReport({
      runDir: inputs.runDir,
      dbPath: inputs.dbPath,
      shardsDir: inputs.shardsDir,
      imagesDir: inputs.imagesDir,
      outPath: path,
    });
    const screenshot = join(dir, 'report.png');
    const view = await viewReport(path, screenshot);
    expect(view.consoleErrors).toEqual([]);
    expect(view.outsideRequests).toEqual([]);
    expect(view.charts.sort()).toEqual([...everyChart].sort());
    for (const name of everyChart) expect(view.marksPerChart[name], name).toBeGreaterThan(0);
    expect(view.decodedImages).toBe(24 + 8 + 2 + 6 + retrievalFigures);
    expect(view.missingNotes).toEqual([]);
    expect(view.examples).toEqual({
      dropped: { figures: 8, decoded: 8, marked: 0 },
      cluster: { figures: 2, decoded: 2, marked: 0 },
      'zeroshot-right': { figures: 3, decoded: 3, marked: 0 },
      'zeroshot-wrong': { figures: 3, decoded: 3, marked: 0 },
      retrieval: { figures: retrievalFigures, decoded: retrievalFigures, marked: 6 },
    });
    expect(view.tableRows.hosts).toBe(1);
    // 30 classes, the 20 most confused shown, every cell with hover text.
    expect(view.confusion.labels).toBe(20);
    expect(view.confusion.cellsWithTitle).toBe(view.marksPerChart.confusion! - 1);
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    if (process.env.WIT_KEEP_SCREENSHOT) writeFileSync(process.env.WIT_KEEP_SCREENSHOT, readFileSync(screenshot));
  });
});

if (!hasChromium)
  console.warn('\n*** SKIPPED the chromium checks of report.html: /usr/bin/chromium is missing (apt-get install -y chromium) ***\n');
