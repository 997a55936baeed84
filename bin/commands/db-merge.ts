import { notBuiltCommand } from './not-built.js';

export const dbMergeCommand = notBuiltCommand('merge <out> <inputs..>', 'Merge partition dbs, re-applying caps and uniqueness', 4);
