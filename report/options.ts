import { optionTable, path } from '../core/index.js';

// Every option of `wit report`, declared once: the flags and their --help come
// from here. A section whose input is not given says what is missing.

export const reportOptions = optionTable('ReportOptions', {
  /** The run folder `wit train` wrote (config.json, metrics.jsonl, evals.jsonl). */
  runDir: path({ flag: 'run', required: true, describe: 'The run folder `wit train` wrote' }),
  /** The crawl database, for the query long tail and crawl figures. */
  dbPath: path({ flag: 'db', describe: 'The crawl database: query long tail, crawl figures' }),
  /** The shard folder, for curation figures (manifest.json), sample images, and retrieval examples when their own folder is gone. */
  shardsDir: path({ flag: 'shards', describe: 'The shard folder: curation figures, sample images' }),
  /** The image store `wit fetch` wrote, for the images of dropped pairs and near-duplicate clusters (with `dbPath`). */
  imagesDir: path({ flag: 'images', describe: 'With --db: the image store, to show dropped pairs and near-duplicate clusters as images' }),
  /** Where to write the report; unset: `<runDir>/report.html`. */
  outPath: path({ flag: 'out', defaultText: 'RUN/report.html', describe: 'Where to write the report' }),
});
