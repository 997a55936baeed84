import type { CommandModule } from 'yargs';
import { checkImagesOptions } from '../../fetch/options.js';
import { dbOption, declareOptions, jsonOption, resolvedFromArgv } from './options.js';

export const dbCheckImagesCommand: CommandModule<object, { db: string; json: boolean }> = {
  command: 'check-images',
  describe: 'Check that the images table and the image store agree (missing, extra, stale temp files); --repair fixes it',
  builder: (y) => jsonOption(dbOption(declareOptions(y, checkImagesOptions)), 'Print the report as JSON'),
  handler: async (argv) => {
    const { existsSync, statSync } = await import('node:fs');
    const { openDb } = await import('../../db/index.js');
    const { WitError } = await import('../../core/index.js');
    const options = resolvedFromArgv(checkImagesOptions, argv);
    if (!existsSync(options.imagesDir) || !statSync(options.imagesDir).isDirectory()) {
      throw new WitError(`--images ${options.imagesDir} is not a folder: give the image store folder that wit fetch wrote to.`);
    }
    const { checkImages, formatCheckImagesReport } = await import('../../fetch/index.js');
    const db = openDb(argv.db, { create: false });
    try {
      const report = checkImages(db, options);
      console.log(argv.json ? JSON.stringify(report, null, 2) : formatCheckImagesReport(report));
      if (!report.repaired && report.missingFiles + report.extraFiles + report.rowsWithoutPath > 0) process.exitCode = 1;
    } finally {
      db.close();
    }
  },
};
