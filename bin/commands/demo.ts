import { notBuiltCommand } from './not-built.js';

export const demoCommand = notBuiltCommand('demo', 'The whole pipeline, offline, on an embedded openmoji website', 9);
