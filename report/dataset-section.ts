import type { ShardManifest } from '../curate/index.js';
import type { DbSummary } from './db-summary.js';
import { escapeHtml, factTable, figureRow, missing, type Section } from './html.js';
import type { SampleImage } from './shard-samples.js';
import { barChart, lineChart } from './svg-charts.js';

export interface DatasetInputs {
  db: DbSummary | undefined;
  manifest: ShardManifest | undefined;
  samples: SampleImage[];
}

const needDb = 'pass --db with the crawl database to see the query long tail and the crawl figures.';
const needShards = 'pass --shards with the folder `wit shards build` wrote.';

/** Pairs per query (the long tail), what each curation step dropped, sample images with captions. */
export function datasetSection(inputs: DatasetInputs): Section {
  const { db, manifest } = inputs;
  const parts = [factTable(datasetFacts(inputs))];
  const charts: string[] = [];
  if (db && db.pairsPerQuery.length > 0) charts.push(longTailChart(db.pairsPerQuery));
  const dropped = manifest?.dropped ?? db?.dropReasons;
  if (dropped && Object.keys(dropped).length + Object.keys(manifest?.splits ?? db?.decisions ?? {}).length > 0) charts.push(curationChart(dropped, manifest, db));
  if (db && db.topQueries.some((q) => q.pairs > 0)) {
    charts.push(barChart({ name: 'top-queries', title: 'Queries with the most pairs', bars: db.topQueries.filter((q) => q.pairs > 0).map((q) => ({ label: q.text, value: q.pairs })) }));
  }
  if (db && Object.keys(db.imageFailures).length > 0) {
    charts.push(barChart({ name: 'image-failures', title: 'Images that failed to fetch, by reason', bars: Object.entries(db.imageFailures).map(([label, value]) => ({ label, value })) }));
  }
  if (charts.length > 0) parts.push(figureRow(...charts));
  if (!db) parts.push(missing('database', needDb));
  else if (db.pairsPerQuery.length === 0) parts.push(missing('pairs in the database', 'run `wit crawl` first.'));
  if (!dropped) parts.push(missing('curation figures', needShards));
  parts.push('<h3>Sample pairs (training shard)</h3>');
  parts.push(inputs.samples.length > 0 ? sampleGrid(inputs.samples) : missing('sample images', needShards));
  return { id: 'dataset', title: 'Dataset', body: parts.join('\n') };
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
    for (const [split, s] of Object.entries(manifest.splits)) rows.push([`${split} samples`, `${n(s.samples)} in ${n(s.shards)} shard${s.shards === 1 ? '' : 's'}`]);
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
  const kept = manifest ? Object.entries(manifest.splits).map(([split, s]) => [split, s.samples] as const) : Object.entries(db?.decisions ?? {}).filter(([k]) => k !== 'drop');
  const bars = [
    ...kept.map(([split, value]) => ({ label: `kept: ${split}`, value })),
    ...Object.entries(dropped)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, value]) => ({ label: `dropped: ${reason}`, value })),
  ];
  return barChart({ name: 'curation', title: 'What curation kept and what each step dropped', bars });
}

function sampleGrid(samples: SampleImage[]): string {
  const items = samples.map((s) => `<figure><img src="${s.dataUri}" alt="${escapeHtml(s.caption)}"><figcaption>${escapeHtml(s.caption)}</figcaption></figure>`);
  return `<div class="samples">${items.join('')}</div>`;
}
