import type { CommandModule } from 'yargs';
import { reportOptions } from '../../report/options.js';
import { declareOptions, requiredOptions } from './options.js';

export const reportCommand: CommandModule = {
  command: 'report',
  describe: 'Write the self-contained HTML report of a run (dataset, training, evaluation)',
  builder: (y) =>
    declareOptions(y, reportOptions).example(
      '$0 report --run run/ --db wit.db --shards shards/ --images images/',
      'report.html in run/ with every section',
    ),
  handler: async (argv) => {
    const { writeReport } = await import('../../report/index.js');
    const written = await writeReport(requiredOptions(reportOptions, argv));
    console.log(`report: ${written.path} (${(written.bytes / 1024).toFixed(0)} KiB, self-contained; open it in a browser)`);
  },
};
