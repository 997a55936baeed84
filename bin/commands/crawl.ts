import { notBuiltCommand } from './not-built.js';

export const crawlCommand = notBuiltCommand('crawl', 'Discover (image, text) pairs for every query, politely and resumably', 4);
