import type { CommandModule } from 'yargs';
import { classifyLabelOptions, classifyOptions } from '../../eval/options.js';
import { embedProgress, printWarning, usageError } from './eval.js';
import { checkFlags, declareOptions, jsonOption, optionsFromArgv, requiredOptions } from './options.js';

interface ClassifyArgs {
  images: string[];
  json: boolean;
}

export const classifyCommand: CommandModule<object, ClassifyArgs> = {
  command: 'classify <images..>',
  describe: 'Zero-shot classify images against label text: the top labels with probabilities',
  builder: (y) =>
    jsonOption(declareOptions(y, classifyOptions, classifyLabelOptions), 'Print JSON: [{ image, labels: [{ label, probability }] }]')
      .positional('images', { type: 'string', array: true, demandOption: true, describe: 'Image files' })
      .conflicts('labels', 'labels-file')
      .check(checkFlags(classifyOptions, classifyLabelOptions))
      .check((argv) => {
        if (argv.labels === undefined && argv['labels-file'] === undefined)
          throw usageError('Give the candidate labels with --labels "dog,cat,car" or --labels-file FILE.');
        if (argv.images.length === 0) throw usageError('Name at least one image file to classify.');
        return true;
      }),
  handler: async (argv) => {
    const { classifyImages, formatClassification, formatSkipped, labelsFromFile, labelsFromList, readTemplates } = await import(
      '../../eval/index.js'
    );
    const { list, file, templatesFile } = optionsFromArgv(classifyLabelOptions, argv);
    const labels = file !== undefined ? labelsFromFile(file) : labelsFromList(list!);
    const progress = await embedProgress();
    const result = await classifyImages({
      ...requiredOptions(classifyOptions, argv),
      images: argv.images,
      labels,
      templates: templatesFile === undefined ? undefined : readTemplates(templatesFile),
      onProgress: progress.update,
      onWarning: printWarning,
    });
    progress.finish();
    if (result.skipped.length > 0) console.error(formatSkipped(result.skipped));
    console.log(argv.json ? JSON.stringify(result.results, null, 2) : formatClassification(result));
  },
};
