// Web-archive benchmark: compressed WARC MB per CPU-second of `wit crawl
// --warc` (warcio, the site source's extraction, matching, per-query cap,
// SQLite) beside a Python peer in the same run (gzip + a small WARC reader +
// lxml.html, extracting the same img src/alt pairs), on .warc.gz files of
// real pages under distinct URLs, generated once into bench/out/warc/: real
// documentation sites' pages, and the image-dense openmoji fixture pages.
// Run: npm run build && node dist/bench/warc/main.js [--mb 100] [--rounds 1] [--corpus docs,openmoji]
// One round at 100 MB is about 4 CPU-minutes a corpus (wit and the peer); --rounds 3 prints the median of three.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { insertNewQueries, openDb } from '../../db/index.js';
import { normalizeText, readWordnetLemmas } from '../../queries/index.js';
import { loadEmojis } from '../../test/fixtures/openmoji-site.js';
import { type CorpusPage, ensureWarcCorpus, openmojiPages } from './corpus.js';
import { docsPages } from './docs-pages.js';
import { loadText } from '../machine-load.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '1' },
    corpus: { type: 'string', default: 'docs,openmoji' },
  },
});
const minMb = Number(values.mb);
const corpusNames = values.corpus.split(',');
const rounds = Number(values.rounds);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
const outDir = join(repo, 'bench', 'out', 'warc');
const python = '/usr/bin/python3';
interface SideRun {
  records: number;
  pages: number;
  cpu_secs: number;
  wall_secs: number;
  max_rss_kib: number;
  pairs?: number;
  candidates?: number;
  stored?: number;
}

function runJson(command: string, args: string[]): SideRun {
  const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as SideRun;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Corpus {
  name: string;
  loadPages: () => Promise<CorpusPage[]>;
  queries: () => string[];
  about: string;
}

const corpora: Corpus[] = [
  {
    name: 'docs',
    loadPages: docsPages(join(outDir, 'docs')),
    queries: () => [...new Set(readWordnetLemmas().map(normalizeText))].filter((text) => text !== ''),
    about: "real documentation sites' pages (Python manual, Debian Handbook), WordNet's lemmas as queries",
  },
  {
    name: 'openmoji',
    loadPages: openmojiPages,
    queries: () => [
      ...new Set(
        loadEmojis()
          .flatMap((emoji) => normalizeText(emoji.annotation).split(' '))
          .filter((word) => word.length >= 3),
      ),
    ],
    about: "the image-dense openmoji fixture pages (24 candidate pairs a page), openmoji's annotation words as queries",
  },
];

mkdirSync(outDir, { recursive: true });
for (const name of corpusNames) {
  const corpus = corpora.find((c) => c.name === name);
  if (!corpus) throw new Error(`bench warc: --corpus ${name}: not one of ${corpora.map((c) => c.name).join(', ')}`);
  await runCorpus(corpus);
}

async function runCorpus(corpus: Corpus): Promise<void> {
  const archive = join(outDir, `${corpus.name}-${minMb}mb.warc.gz`);
  console.log(`warc ${corpus.name}: ${corpus.about}; corpus ${archive} (>= ${minMb} MB; generated once) · load ${loadText()}`);
  const written = await ensureWarcCorpus(archive, minMb * 1e6, corpus.loadPages);
  const mb = statSync(archive).size / 1e6;
  console.log(
    `warc ${corpus.name}: ${mb.toFixed(1)} MB of warc.gz${written.captures >= 0 ? `, ${written.captures} captures written` : ''}`,
  );
  const template = queriesDb(corpus);
  const wit: SideRun[] = [];
  const peer: SideRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    const dbPath = join(outDir, 'bench.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    copyFileSync(template, dbPath);
    console.log(`round ${round} · load ${loadText()}`);
    const w = runJson(process.execPath, [join(here, 'run-wit.js'), dbPath, archive]);
    const p = runJson(python, [join(repo, 'bench', 'peer', 'warc_pairs.py'), archive]);
    wit.push(w);
    peer.push(p);
    const line = (name: string, r: SideRun, pairs: string) =>
      `  ${name}: ${r.records} records, ${r.pages} pages, ${pairs}; ${r.cpu_secs.toFixed(1)} CPU-s, ${r.wall_secs.toFixed(1)} s wall: ` +
      `${(mb / r.cpu_secs).toFixed(2)} MB per CPU-s, ${(mb / r.wall_secs).toFixed(2)} MB/s wall; peak RSS ${(r.max_rss_kib / 1024).toFixed(0)} MiB`;
    console.log(line('wit ', w, `${w.candidates} candidate pairs, ${w.stored} stored`));
    console.log(line('peer', p, `${p.pairs} alt pairs`));
  }
  const witRate = median(wit.map((r) => mb / r.cpu_secs));
  const peerRate = median(peer.map((r) => mb / r.cpu_secs));
  console.log(
    `warc ${corpus.name}: median of ${rounds}: wit ${witRate.toFixed(2)} MB of warc.gz per CPU-s, peer (Python gzip + lxml) ${peerRate.toFixed(2)}: ` +
      `**wit/peer ${(witRate / peerRate).toFixed(2)}x** per CPU-second (goal >= 2x); peak RSS wit ${(Math.max(...wit.map((r) => r.max_rss_kib)) / 1024).toFixed(0)} MiB, ` +
      `peer ${(Math.max(...peer.map((r) => r.max_rss_kib)) / 1024).toFixed(0)} MiB · load ${loadText()}`,
  );
}

/** A db holding only the corpus's queries, copied fresh for every round. */
function queriesDb(corpus: Corpus): string {
  const queries = corpus.queries();
  const template = join(outDir, `queries-${corpus.name}.db`);
  rmSync(template, { force: true });
  const db = openDb(template);
  insertNewQueries(
    db,
    queries.map((text) => ({ text, origin: 'user' as const })),
  );
  db.close();
  console.log(`warc ${corpus.name}: ${queries.length} queries, cap 20,000 per query; ${rounds} rounds, wit then the peer in each`);
  return template;
}
