import type { CommandModule } from 'yargs';
import { dbCommand } from './db.js';
import { notBuiltCommand } from './not-built.js';

export const commands: CommandModule[] = [
  notBuiltCommand('queries <command>', 'Build, import and export the query list', 3),
  notBuiltCommand('crawl', 'Discover (image, text) pairs for every query, politely and resumably', 4),
  notBuiltCommand('fetch', 'Download, validate, hash and store every pair image', 5),
  notBuiltCommand('shards <command>', 'Filter, dedupe, balance the pairs and write WebDataset shards', 6),
  notBuiltCommand('train', 'Train the bag-of-words contrastive model on shards', 7),
  notBuiltCommand('eval <command>', 'Zero-shot, retrieval and linear-probe evaluation of a run', 8),
  notBuiltCommand('classify', 'Zero-shot classify images against label text', 8),
  notBuiltCommand('report', 'Write the HTML report of a run', 9),
  notBuiltCommand('demo', 'The whole pipeline, offline, on an embedded openmoji website', 9),
  dbCommand,
];
