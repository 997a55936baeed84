import { notBuiltCommand } from './not-built.js';

export const classifyCommand = notBuiltCommand('classify', 'Zero-shot classify images against label text', 8);
