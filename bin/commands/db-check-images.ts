import { notBuiltCommand } from './not-built.js';

export const dbCheckImagesCommand = notBuiltCommand('check-images', 'Check that the db and the image store agree; repair', 5);
