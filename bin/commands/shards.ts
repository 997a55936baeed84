import { notBuiltCommand } from './not-built.js';

export const shardsCommand = notBuiltCommand('shards <command>', 'Filter, dedupe, balance the pairs and write WebDataset shards', 6);
