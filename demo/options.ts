import { optionTable, path, paths, yesNo } from '../core/index.js';

// Every option of `wit demo`, declared once: the library's defaults, the flags
// and their --help come from here.

export const demoOptions = optionTable('DemoOptions', {
  /** The small demo (under 2 minutes on 2 cores) instead of the full one (under 10). */
  quick: yesNo({
    flag: 'quick',
    default: false,
    describe: 'A small demo (about 2 minutes on 2 cores) instead of the full one (under 10)',
  }),
  /** Folder for everything the demo writes (db, images, shards, run, report). */
  outDir: path({ flag: 'out', default: 'wit-demo', describe: 'Folder for the db, images, shards, run and report' }),
  /** Text corpora added to the WordNet queries (frequent words, high-PMI bigrams). */
  corpusPaths: paths({
    flag: 'corpus',
    default: [],
    describe: 'Text corpora (plain or gzip) whose frequent words and bigrams join the WordNet queries',
  }),
});
