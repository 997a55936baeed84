import type { CommandModule } from 'yargs';
import { backendOption, type BackendChoice } from './options.js';
import { embedProgress, positiveInteger, printWarning, usageError } from './eval.js';

interface ClassifyArgs {
  run: string;
  backend: string;
  images: string[];
  labels?: string;
  labelsFile?: string;
  templates?: string;
  top: number;
  batch: number;
  json: boolean;
}

export const classifyCommand: CommandModule<object, ClassifyArgs> = {
  command: 'classify <images..>',
  describe: 'Zero-shot classify images against label text: the top labels with probabilities',
  builder: (y) =>
    backendOption(y, 'tfjs backend to embed on; auto picks the fastest that loads')
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'Image files' })
      .option('run', { type: 'string', demandOption: true, normalize: true, describe: 'The run folder `wit train` wrote' })
      .option('labels', { type: 'string', describe: 'Candidate labels, comma-separated: "dog,cat,car"' })
      .option('labels-file', { type: 'string', normalize: true, describe: 'Candidate labels, one per line' })
      .conflicts('labels', 'labels-file')
      .check((argv) => {
        if (argv.labels === undefined && argv['labels-file'] === undefined)
          throw usageError('Give the candidate labels with --labels "dog,cat,car" or --labels-file FILE.');
        return true;
      })
      .option('templates', {
        type: 'string',
        normalize: true,
        describe: 'Prompt templates, one per line with {} for the label (default: "a photo of a {}.")',
      })
      .option('top', { type: 'number', default: 5, describe: 'Labels shown per image' })
      .option('batch', { type: 'number', default: 256, describe: 'Images embedded per batch' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON: [{ image, labels: [{ label, probability }] }]' })
      .check((argv) => {
        if (argv.images.length === 0) throw usageError('Name at least one image file to classify.');
        return positiveInteger(argv.top, '--top') && positiveInteger(argv.batch, '--batch');
      }),
  handler: async (argv) => {
    const { classifyImages, formatClassification, formatSkipped, labelsFromFile, labelsFromList, readTemplates } = await import(
      '../../eval/index.js'
    );
    const labels = argv.labelsFile !== undefined ? labelsFromFile(argv.labelsFile) : labelsFromList(argv.labels!);
    const progress = await embedProgress();
    const result = await classifyImages({
      runDir: argv.run,
      backend: argv.backend as BackendChoice,
      images: argv.images,
      labels,
      templates: argv.templates === undefined ? undefined : readTemplates(argv.templates),
      top: argv.top,
      batchSize: argv.batch,
      onProgress: progress.update,
      onWarning: printWarning,
    });
    progress.finish();
    if (result.skipped.length > 0) console.error(formatSkipped(result.skipped));
    console.log(argv.json ? JSON.stringify(result.results, null, 2) : formatClassification(result));
  },
};
