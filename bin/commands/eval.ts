import { notBuiltCommand } from './not-built.js';

export const evalCommand = notBuiltCommand('eval <command>', 'Zero-shot, retrieval and linear-probe evaluation of a run', 8);
