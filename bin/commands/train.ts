import { notBuiltCommand } from './not-built.js';

export const trainCommand = notBuiltCommand('train', 'Train the bag-of-words contrastive model on shards', 7);
