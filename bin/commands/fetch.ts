import { notBuiltCommand } from './not-built.js';

export const fetchCommand = notBuiltCommand('fetch', 'Download, validate, hash and store every pair image', 5);
