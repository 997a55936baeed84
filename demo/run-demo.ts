import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countImages, countPairs, countQueries, openDb, type WitDb } from '../db/index.js';
import { ProgressLine, WitError, formatDuration, resolveOptions, type GivenOptions } from '../core/index.js';
import { demoProfiles, type DemoProfile } from './demo-profile.js';
import { startDemoSite, type DemoSite } from './demo-site.js';
import { writeEvalImages } from './eval-images.js';
import { loadCatalog } from './openmoji-catalog.js';
import { demoOptions } from './options.js';

/** The declared options (options.ts, the stage's own) and where the log goes. */
export interface DemoOptions extends GivenOptions<typeof demoOptions.entries> {
  /**
   * Where step headers and results go.
   * @default console.log
   */
  log?: (line: string) => void;
}

/** Where the demo left its artifacts, and the figures it ends on. */
export interface DemoResult {
  siteUrl: string;
  dbPath: string;
  imagesDir: string;
  shardsDir: string;
  runDir: string;
  evalImagesDir: string;
  reportPath: string;
  figures: DemoFigures;
}

export interface DemoFigures {
  queries: number;
  pairs: number;
  imagesOk: number;
  imagesFailed: number;
  trainSamples: number;
  valSamples: number;
  trainSteps: number;
  finalLoss: number | undefined;
  zeroShotTop1: number;
  zeroShotClasses: number;
  linearProbeTop1: number | undefined;
  retrievalRecallAt: Record<number, { imageToText: number; textToImage: number }>;
  elapsedSecs: number;
}

/** The artifact paths of a demo folder. */
export function demoPaths(outDir: string) {
  const root = resolve(outDir);
  return {
    dbPath: join(root, 'wit.db'),
    imagesDir: join(root, 'images'),
    shardsDir: join(root, 'shards'),
    runDir: join(root, 'run'),
    evalImagesDir: join(root, 'eval-images'),
    reportPath: join(root, 'run', 'report.html'),
  };
}

/**
 * The whole pipeline, offline, on a local openmoji website: queries, crawl
 * (search and site sources), fetch, shards (decontaminated against the
 * held-out evaluation images), train, zero-shot and retrieval evaluation, a
 * linear probe, and the report. Each stage is called through its library
 * function exactly as its `wit` command calls it.
 */
export async function runDemo(given: DemoOptions = {}): Promise<DemoResult> {
  const startedAt = Date.now();
  const options = resolveOptions(demoOptions, given);
  const log = given.log ?? ((line: string) => console.log(line));
  const profile = demoProfiles[options.quick ? 'quick' : 'full'];
  const outDir = options.outDir;
  const paths = demoPaths(outDir);
  refuseUsedFolder(outDir);
  mkdirSync(paths.runDir, { recursive: true });
  const steps = new StepLog(log, 8, startedAt);

  steps.begin('website: the openmoji gallery on 127.0.0.1, and the held-out evaluation images');
  const catalog = loadCatalog(profile.groups ? { groups: profile.groups } : {});
  const site = await startDemoSite({ catalog });
  try {
    log(`  site: ${site.url} (open it in a browser while the demo runs)`);
    const evalImages = await writeEvalImages(catalog, paths.evalImagesDir);
    log(`  ${catalog.served.length} emoji served, ${evalImages} held out in ${catalog.classes.length} classes: ${paths.evalImagesDir}`);
    const db = openDb(paths.dbPath);
    try {
      await queriesStep(db, profile, options.corpusPaths, steps);
      await crawlStep(db, site, profile, steps);
      await fetchStep(db, paths.imagesDir, steps);
    } finally {
      db.close();
    }
  } finally {
    await site.close();
  }
  const shards = await shardsStep(paths, profile, steps);
  const trained = await trainStep(paths, profile, steps);
  const evals = await evalSteps(paths, steps);
  steps.begin('report');
  const { writeReport } = await import('../report/index.js');
  const report = await writeReport({
    runDir: paths.runDir,
    dbPath: paths.dbPath,
    shardsDir: paths.shardsDir,
    imagesDir: paths.imagesDir,
    outPath: paths.reportPath,
  });
  log(`  ${report.path} (${(report.bytes / 1024).toFixed(0)} KiB)`);
  const figures = { ...shards, ...trained, ...evals, ...crawlFigures(paths.dbPath), elapsedSecs: (Date.now() - startedAt) / 1000 };
  return { siteUrl: site.url, ...paths, figures };
}

/** The site is the demo's own, on loopback: no delay between requests, and private addresses allowed. */
const loopbackFetcher = { allowPrivate: true, hostDelayMillis: 0, perHost: 8, concurrency: 8 };

async function queriesStep(db: WitDb, profile: DemoProfile, corpusPaths: readonly string[], steps: StepLog): Promise<void> {
  steps.begin(
    `queries: the ${profile.queryLimit.toLocaleString('en-US')} most used WordNet lemmas${corpusPaths.length > 0 ? ' plus the corpus' : ''}`,
  );
  const { buildQueries } = await import('../queries/index.js');
  const progress = new ProgressLine({ label: 'queries', unit: 'MB' });
  const built = await buildQueries(db, { wordnet: true, limit: profile.queryLimit, corpusPaths, onProgress: progress.update });
  if (corpusPaths.length > 0) progress.finish();
  const added = Object.entries(built.added)
    .filter(([, n]) => n > 0)
    .map(([origin, n]) => `${n} ${origin}`);
  steps.note(`${built.total.toLocaleString('en-US')} queries (${added.join(', ') || 'none new'})`);
}

async function crawlStep(db: WitDb, site: DemoSite, profile: DemoProfile, steps: StepLog): Promise<void> {
  steps.begin('crawl: the search endpoint for every query, then the site itself');
  const { crawl } = await import('../crawler/index.js');
  for (const source of [
    {
      kind: 'search' as const,
      urlTemplate: site.searchUrlTemplate,
      maxPages: profile.searchPages,
      json: { results: 'results', image: 'imageUrl', text: 'text' },
    },
    { kind: 'site' as const, seeds: [site.url], maxDepth: profile.siteMaxDepth },
  ]) {
    const line = new ProgressLine({ label: `crawl ${source.kind}`, unit: 'pages' });
    const summary = await crawl(db, { source, fetcher: loopbackFetcher, onProgress: line.update });
    line.finish();
    const reasons = summary.topReasons.map(([reason, n]) => `${n} ${reason}`).join(', ');
    steps.note(
      `${source.kind}: ${summary.pages.fetched} pages, ${summary.pairs.stored.toLocaleString('en-US')} pairs stored (${summary.pairs.duplicate} duplicate, ${summary.pairs.unmatched} matching no query)${reasons ? `; pages not fetched: ${reasons}` : ''}`,
    );
  }
}

async function fetchStep(db: WitDb, imagesDir: string, steps: StepLog): Promise<void> {
  steps.begin('fetch: download, validate, hash and store every image');
  const { fetchImages } = await import('../fetch/index.js');
  const line = new ProgressLine({ label: 'fetch', unit: 'images' });
  const summary = await fetchImages(db, { imagesDir, fetcher: loopbackFetcher, onProgress: line.update });
  line.finish();
  const failures = summary.failures.map(([reason, n]) => `${n} ${reason}`).join(', ');
  steps.note(`${summary.ok} images stored, ${summary.failed} failed${failures ? ` (${failures})` : ''}`);
}

async function shardsStep(
  paths: ReturnType<typeof demoPaths>,
  profile: DemoProfile,
  steps: StepLog,
): Promise<Pick<DemoFigures, 'trainSamples' | 'valSamples'>> {
  steps.begin('shards: filter, dedupe, decontaminate against the held-out images, balance, split, write');
  const { buildShards } = await import('../curate/index.js');
  const db = openDb(paths.dbPath);
  try {
    const built = await buildShards(db, {
      imagesDir: paths.imagesDir,
      outDir: paths.shardsDir,
      excludeNearDir: paths.evalImagesDir,
      valFraction: profile.valFraction,
      captionsPerImage: profile.captionsPerImage,
      progress: (phase, unit) => new ProgressLine({ label: `shards ${phase}`, unit }),
    });
    const dropped = Object.entries(built.dropped)
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    steps.note(`${built.pairs} pairs: ${built.train} train and ${built.val} val samples; dropped: ${dropped || 'none'}`);
    return { trainSamples: built.train, valSamples: built.val };
  } finally {
    db.close();
  }
}

async function trainStep(
  paths: ReturnType<typeof demoPaths>,
  profile: DemoProfile,
  steps: StepLog,
): Promise<Pick<DemoFigures, 'trainSteps' | 'finalLoss'>> {
  steps.begin(`train: ${profile.train.steps} steps of the bag-of-words contrastive model`);
  const { train } = await import('../train/index.js');
  const line = new ProgressLine({ label: 'train', unit: 'steps' });
  const result = await train({
    shardsDir: paths.shardsDir,
    outDir: paths.runDir,
    ...profile.train,
    onMetrics: (m, total) => line.update({ done: m.step, total, counts: { loss: Number(m.loss.toFixed(3)) } }),
    log: (message) => steps.note(message),
  });
  line.finish();
  return { trainSteps: result.steps, finalLoss: result.last?.loss };
}

async function evalSteps(
  paths: ReturnType<typeof demoPaths>,
  steps: StepLog,
): Promise<Pick<DemoFigures, 'zeroShotTop1' | 'zeroShotClasses' | 'linearProbeTop1' | 'retrievalRecallAt'>> {
  const { evaluateZeroShot, evaluateRetrieval, evaluateLinearProbe } = await import('../eval/index.js');
  steps.begin('eval: zero-shot on the held-out emoji (class = subgroup), retrieval on val, linear probe');
  const source = { imagesDir: paths.evalImagesDir };
  const zeroShot = await evaluateZeroShot({ runDir: paths.runDir, source, onWarning: (message) => steps.note(message) });
  const f = zeroShot.record.figures;
  steps.note(`zero-shot top-1 ${pct(f.top1)} over ${f.images} images, ${f.classes} classes (chance ${pct(1 / f.classes)})`);
  const retrieval = await evaluateRetrieval({ runDir: paths.runDir, shardsDir: paths.shardsDir });
  const recall = Object.fromEntries(
    retrieval.record.figures.recall.map((r) => [r.k, { imageToText: r.imageToText, textToImage: r.textToImage }]),
  );
  steps.note(
    `retrieval on ${retrieval.record.figures.pairs} val pairs: ${retrieval.record.figures.recall.map((r) => `R@${r.k} ${pct(r.imageToText)}/${pct(r.textToImage)}`).join(', ')} (image→text/text→image)`,
  );
  const probe = await evaluateLinearProbe({ runDir: paths.runDir, source });
  steps.note(
    `linear probe top-1 ${pct(probe.record.figures.linearProbeTop1)} vs zero-shot ${pct(probe.record.figures.zeroShotTop1)} on the same test images`,
  );
  return {
    zeroShotTop1: f.top1,
    zeroShotClasses: f.classes,
    linearProbeTop1: probe.record.figures.linearProbeTop1,
    retrievalRecallAt: recall,
  };
}

function crawlFigures(dbPath: string): Pick<DemoFigures, 'queries' | 'pairs' | 'imagesOk' | 'imagesFailed'> {
  const db = openDb(dbPath, { readonly: true });
  try {
    return {
      queries: countQueries(db),
      pairs: countPairs(db),
      imagesOk: countImages(db, 'ok'),
      imagesFailed: countImages(db, 'failed'),
    };
  } finally {
    db.close();
  }
}

/**
 * The demo site listens on a new port each time, so a crawl cannot resume
 * against it: a demo always starts from an empty folder.
 */
function refuseUsedFolder(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new WitError(`--out ${outDir} is not empty (an earlier demo?): remove it, or give --out a new folder.`);
  }
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

/** `[3/8] crawl: ... (0m42s)` headers, and indented notes under them. */
class StepLog {
  private index = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly total: number,
    private readonly startedAt: number,
  ) {}

  begin(title: string): void {
    this.index += 1;
    this.log(`\n[${this.index}/${this.total}] ${title} (at ${formatDuration((Date.now() - this.startedAt) / 1000)})`);
  }

  note(line: string): void {
    this.log(`  ${line}`);
  }
}
