import type { CommandModule } from 'yargs';
import { dbOption } from './options.js';

interface CheckImagesArgs {
  db: string;
  images: string;
  repair: boolean;
  json: boolean;
}

export const dbCheckImagesCommand: CommandModule<object, CheckImagesArgs> = {
  command: 'check-images',
  describe: 'Check that the images table and the image store agree (missing, extra, stale temp files); --repair fixes it',
  builder: (y) =>
    dbOption(y)
      .option('images', { type: 'string', default: 'images', normalize: true, describe: 'Image store folder (as given to wit fetch)' })
      .option('repair', {
        type: 'boolean',
        default: false,
        describe: 'Put rows whose file is missing back to pending and delete files no row uses (no wit fetch may be running)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' }),
  handler: async (argv) => {
    const { existsSync, statSync } = await import('node:fs');
    const { openDb } = await import('../../db/index.js');
    const { WitError } = await import('../../core/index.js');
    if (!existsSync(argv.images) || !statSync(argv.images).isDirectory()) {
      throw new WitError(`--images ${argv.images} is not a folder: give the image store folder that wit fetch wrote to.`);
    }
    const { checkImages, formatCheckImagesReport } = await import('../../fetch/index.js');
    const db = openDb(argv.db, { create: false });
    try {
      const report = checkImages(db, { imagesDir: argv.images, repair: argv.repair });
      console.log(argv.json ? JSON.stringify(report, null, 2) : formatCheckImagesReport(report));
      if (!report.repaired && report.missingFiles + report.extraFiles + report.rowsWithoutPath > 0) process.exitCode = 1;
    } finally {
      db.close();
    }
  },
};
