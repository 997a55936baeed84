import type { CommandModule } from 'yargs';
import { mergeOptions } from '../../crawler/options.js';
import { checkFlags, declareOptions, optionsFromArgv } from './options.js';

interface MergeArgs {
  out: string;
  inputs: string[];
  cap?: number;
}

export const dbMergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <out> <inputs..>',
  describe: 'Merge partition dbs (from `wit crawl --partition i/N`) into OUT, re-applying caps and uniqueness',
  builder: (y) =>
    declareOptions(y, mergeOptions)
      .positional('out', {
        type: 'string',
        demandOption: true,
        normalize: true,
        describe: 'The merged db (created when missing; merging into it adds)',
      })
      .positional('inputs', { type: 'string', array: true, demandOption: true, normalize: true, describe: 'Partition dbs, read-only' })
      .check(checkFlags(mergeOptions)),
  handler: async (argv) => {
    const { mergeDbs } = await import('../../crawler/index.js');
    const total = mergeDbs(argv.out, argv.inputs, {
      ...optionsFromArgv(mergeOptions, argv),
      onInput: (input, counts) =>
        console.log(
          `${input}: ${counts.pairs.stored} pairs added, ${counts.pairs.duplicate} already there, ${counts.pairs.overCap} over the cap; ` +
            `${counts.queries} query rows, ${counts.pages} page rows, ${counts.images} image rows merged`,
        ),
    });
    console.log(
      `${argv.out}: ${total.pairs.stored} pairs added from ${argv.inputs.length} dbs (${total.pairs.duplicate} duplicates and ${total.pairs.overCap} over the cap left out)`,
    );
  },
};
