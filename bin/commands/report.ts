import { notBuiltCommand } from './not-built.js';

export const reportCommand = notBuiltCommand('report', 'Write the HTML report of a run', 9);
