import type { CommandModule } from 'yargs';

interface ReportArgs {
  run: string;
  db?: string;
  shards?: string;
  images?: string;
  out?: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Write the self-contained HTML report of a run (dataset, training, evaluation)',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, normalize: true, describe: 'The run folder `wit train` wrote' })
      .option('db', { type: 'string', normalize: true, describe: 'The crawl database: query long tail, crawl figures' })
      .option('shards', { type: 'string', normalize: true, describe: 'The shard folder: curation figures, sample images' })
      .option('images', {
        type: 'string',
        normalize: true,
        describe: 'With --db: the image store, to show dropped pairs and near-duplicate clusters as images',
      })
      .option('out', { type: 'string', normalize: true, describe: 'Where to write the report [default: RUN/report.html]' })
      .example('$0 report --run run/ --db wit.db --shards shards/ --images images/', 'report.html in run/ with every section'),
  handler: async (argv) => {
    const { writeReport } = await import('../../report/index.js');
    const written = await writeReport({
      runDir: argv.run,
      dbPath: argv.db,
      shardsDir: argv.shards,
      imagesDir: argv.images,
      outPath: argv.out,
    });
    console.log(`report: ${written.path} (${(written.bytes / 1024).toFixed(0)} KiB, self-contained; open it in a browser)`);
  },
};
