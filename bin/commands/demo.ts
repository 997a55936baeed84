import type { CommandModule } from 'yargs';
import { demoOptions } from '../../demo/options.js';
import { checkFlags, declareOptions, optionsFromArgv } from './options.js';

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'The whole pipeline, offline, on an embedded openmoji website, ending with an HTML report',
  builder: (y) =>
    declareOptions(y, demoOptions).check(checkFlags(demoOptions)).example('$0 demo --quick', 'the small demo into ./wit-demo'),
  handler: async (argv) => {
    const { existsSync } = await import('node:fs');
    const { WitError } = await import('../../core/index.js');
    const options = optionsFromArgv(demoOptions, argv);
    const absent = (options.corpusPaths ?? []).filter((path) => !existsSync(path));
    if (absent.length > 0)
      throw new WitError(`--corpus ${absent.join(', ')}: no such file. Give text files (plain or .gz), one document per line.`);
    const { runDemo, formatDemoSummary } = await import('../../demo/index.js');
    console.log(formatDemoSummary(await runDemo(options)));
  },
};
