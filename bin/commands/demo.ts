import type { CommandModule } from 'yargs';

interface DemoArgs {
  quick: boolean;
  out: string;
  corpus?: string[];
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'The whole pipeline, offline, on an embedded openmoji website, ending with an HTML report',
  builder: (y) =>
    y
      .option('quick', {
        type: 'boolean',
        default: false,
        describe: 'A small demo (about 2 minutes on 2 cores) instead of the full one (under 10)',
      })
      .option('out', {
        type: 'string',
        default: 'wit-demo',
        normalize: true,
        describe: 'Folder for the db, images, shards, run and report',
      })
      .option('corpus', {
        type: 'string',
        array: true,
        normalize: true,
        describe: 'Text corpora (plain or gzip) whose frequent words and bigrams join the WordNet queries',
      })
      .example('$0 demo --quick', 'the small demo into ./wit-demo'),
  handler: async (argv) => {
    const { existsSync } = await import('node:fs');
    const { WitError } = await import('../../core/index.js');
    const absent = (argv.corpus ?? []).filter((path) => !existsSync(path));
    if (absent.length > 0)
      throw new WitError(`--corpus ${absent.join(', ')}: no such file. Give text files (plain or .gz), one document per line.`);
    const { runDemo, formatDemoSummary } = await import('../../demo/index.js');
    const result = await runDemo({ outDir: argv.out, quick: argv.quick, corpusPaths: argv.corpus ?? [] });
    console.log(formatDemoSummary(result));
  },
};
