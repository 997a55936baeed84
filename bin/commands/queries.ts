import { notBuiltCommand } from './not-built.js';

export const queriesCommand = notBuiltCommand('queries <command>', 'Build, import and export the query list', 3);
