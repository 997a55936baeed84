import type { ShardManifest } from '../curate/index.js';
import type { DatasetExamples, PairExample } from './dataset-examples.js';
import type { DbSummary, HostFigures } from '../db/index.js';
import { escapeHtml, exampleRow, factTable, figureRow, missing, type Section } from './html.js';
import type { SampleImage } from './shard-samples.js';
import { barChart, histogram, lineChart } from './svg-charts.js';

export interface DatasetInputs {
  db: DbSummary | undefined;
  manifest: ShardManifest | undefined;
  samples: SampleImage[];
  /** Read from the db with it; undefined without --db. */
  examples: DatasetExamples | undefined;
  /** Whether the image store was given (else examples have no thumbnails). */
  hasImages: boolean;
}

const needDb = 'pass --db with the crawl database to see the query long tail and the crawl figures.';
const needShards = 'pass --shards with the folder `wit shards build` wrote.';

/**
 * Pairs per query (the long tail), what each curation step dropped; image size,
 * aspect ratio and caption length histograms and caption origins; pairs and
 * failures per host; dropped pairs by reason and near-duplicate clusters side
 * by side; sample images with captions.
 */
export function datasetSection(inputs: DatasetInputs): Section {
  const { db, manifest } = inputs;
  const parts = [factTable(datasetFacts(inputs))];
  const charts: string[] = [];
  if (db && db.pairsPerQuery.length > 0) charts.push(longTailChart(db.pairsPerQuery));
  const dropped = manifest?.dropped ?? db?.dropReasons;
  if (dropped && Object.keys(dropped).length + Object.keys(manifest?.splits ?? db?.decisions ?? {}).length > 0)
    charts.push(curationChart(dropped, manifest, db));
  if (db?.topQueries.some((q) => q.pairs > 0)) {
    charts.push(
      barChart({
        name: 'top-queries',
        title: 'Queries with the most pairs',
        bars: db.topQueries.filter((q) => q.pairs > 0).map((q) => ({ label: q.text, value: q.pairs })),
      }),
    );
  }
  if (db && Object.keys(db.imageFailures).length > 0) {
    charts.push(
      barChart({
        name: 'image-failures',
        title: 'Images that failed to fetch, by reason',
        bars: Object.entries(db.imageFailures).map(([label, value]) => ({ label, value })),
      }),
    );
  }
  if (charts.length > 0) parts.push(figureRow(...charts));
  if (!db) parts.push(missing('database', needDb));
  else if (db.pairsPerQuery.length === 0) parts.push(missing('pairs in the database', 'run `wit crawl` first.'));
  if (!dropped) parts.push(missing('curation figures', needShards));
  if (db) parts.push(...imagesAndCaptions(db), ...hostsPart(db.hosts));
  if (inputs.examples) parts.push(...examplesPart(inputs.examples, inputs.hasImages));
  parts.push('<h3>Sample pairs (training shard)</h3>');
  parts.push(inputs.samples.length > 0 ? sampleGrid(inputs.samples) : missing('sample images', needShards));
  return { id: 'dataset', title: 'Dataset', body: parts.join('\n') };
}

/** What a dataset builder checks first: image sizes, aspect ratios, caption lengths, where captions came from. */
function imagesAndCaptions(db: DbSummary): string[] {
  const charts: string[] = [];
  if (db.imageSizes.length > 0) {
    const sides = db.imageSizes.map(({ width, height }) => Math.min(width, height));
    charts.push(
      histogram({
        name: 'image-size',
        title: 'Image size (shorter side)',
        values: sides,
        xLabel: 'pixels (2,048 and up in the last bin)',
        clipAt: 2048,
      }),
    );
    const ratios = db.imageSizes.map(({ width, height }) => width / height);
    charts.push(
      histogram({
        name: 'aspect-ratio',
        title: 'Aspect ratio (width / height)',
        values: ratios,
        xLabel: 'width / height (4 and up in the last bin)',
        clipAt: 4,
      }),
    );
  }
  if (db.captionWords.length > 0) {
    charts.push(
      histogram({
        name: 'caption-length',
        title: 'Caption length',
        values: db.captionWords,
        xLabel: 'words (80 and up in the last bin)',
        clipAt: 80,
      }),
    );
  }
  if (Object.keys(db.textOrigins).length > 0) {
    charts.push(
      barChart({
        name: 'text-origin',
        title: 'Where captions came from',
        bars: Object.entries(db.textOrigins).map(([label, value]) => ({ label, value })),
        labelWidth: 110,
      }),
    );
  }
  if (charts.length === 0) return [];
  return ['<h3>Images and captions</h3>', figureRow(...charts)];
}

function hostsPart(hosts: readonly HostFigures[]): string[] {
  if (hosts.length === 0) return [];
  const n = (v: number) => v.toLocaleString('en-US');
  const rows = hosts.map(
    (h) => `<tr><td>${escapeHtml(h.host)}</td><td>${n(h.pairs)}</td><td>${n(h.imagesFailed)}</td><td>${n(h.pagesFailed)}</td></tr>`,
  );
  return [
    `<h3>Hosts (top ${hosts.length} by pairs and failures)</h3>`,
    `<table class="list" data-table="hosts"><thead><tr><th>host</th><th>pairs</th><th>images failed</th><th>pages failed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
  ];
}

function examplesPart(examples: DatasetExamples, hasImages: boolean): string[] {
  const parts: string[] = [];
  const note = hasImages ? '' : '<p>Pass <code>--images</code> with the image store to see the images.</p>';
  if (examples.dropped.length > 0) {
    parts.push('<h3>Dropped pairs, by reason</h3>', note);
    for (const { reason, pairs } of examples.dropped) parts.push(`<h4>${escapeHtml(reason)}</h4>`, pairRow(pairs, 'dropped'));
  }
  if (examples.clusters.length > 0) {
    parts.push('<h3>Near-duplicate clusters (largest first)</h3>', examples.dropped.length > 0 ? '' : note);
    for (const cluster of examples.clusters) parts.push(pairRow(cluster, 'cluster'));
  }
  return parts;
}

/** Pairs side by side: thumbnail (when the store was given), caption, image host and file. */
function pairRow(pairs: readonly PairExample[], kind: string): string {
  return exampleRow(
    pairs.map((pair) => ({
      ...(pair.thumbnail ? { thumbnail: pair.thumbnail } : {}),
      caption: pair.text,
      detail: shortUrl(pair.imageUrl),
    })),
    kind,
  );
}

function shortUrl(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    const file = pathname.split('/').at(-1) ?? '';
    return `${host}/…/${file}`;
  } catch {
    return url;
  }
}

function datasetFacts({ db, manifest }: DatasetInputs): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const n = (v: number | undefined) => (v ?? 0).toLocaleString('en-US');
  if (db) {
    rows.push(['queries (with pairs)', `${n(db.queries)} (${n(db.pairsPerQuery.length)})`]);
    rows.push(['pairs crawled', n(db.pairs)]);
    rows.push(['pages', stateList(db.pagesByState)]);
    rows.push(['images', stateList(db.imagesByState)]);
  }
  if (manifest) {
    for (const [split, s] of Object.entries(manifest.splits))
      rows.push([`${split} samples`, `${n(s.samples)} in ${n(s.shards)} shard${s.shards === 1 ? '' : 's'}`]);
  }
  return rows;
}

function stateList(states: Record<string, number>): string {
  const entries = Object.entries(states);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(', ');
}

function longTailChart(pairsPerQuery: number[]): string {
  return lineChart({
    name: 'pairs-per-query',
    title: 'Pairs per query (long tail)',
    series: [{ name: 'pairs', points: pairsPerQuery.map((count, i) => [i + 1, count]) }],
    xLabel: 'query rank',
    yLabel: 'pairs',
    xScale: 'log',
    yScale: 'log',
    dots: pairsPerQuery.length < 60,
  });
}

function curationChart(dropped: Record<string, number>, manifest: ShardManifest | undefined, db: DbSummary | undefined): string {
  const kept = manifest
    ? Object.entries(manifest.splits).map(([split, s]) => [split, s.samples] as const)
    : Object.entries(db?.decisions ?? {}).filter(([k]) => k !== 'drop');
  const bars = [
    ...kept.map(([split, value]) => ({ label: `kept: ${split}`, value })),
    ...Object.entries(dropped)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, value]) => ({ label: `dropped: ${reason}`, value })),
  ];
  return barChart({ name: 'curation', title: 'What curation kept and what each step dropped', bars });
}

function sampleGrid(samples: SampleImage[]): string {
  const items = samples.map(
    (s) => `<figure><img src="${s.dataUri}" alt="${escapeHtml(s.caption)}"><figcaption>${escapeHtml(s.caption)}</figcaption></figure>`,
  );
  return `<div class="samples">${items.join('')}</div>`;
}
