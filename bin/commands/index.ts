import type { CommandModule } from 'yargs';
import { classifyCommand } from './classify.js';
import { crawlCommand } from './crawl.js';
import { dbCommand } from './db.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './eval.js';
import { fetchCommand } from './fetch.js';
import { queriesCommand } from './queries.js';
import { reportCommand } from './report.js';
import { shardsCommand } from './shards.js';
import { trainCommand } from './train.js';

export const commands: CommandModule[] = [
  queriesCommand,
  crawlCommand,
  fetchCommand,
  shardsCommand,
  trainCommand,
  evalCommand,
  classifyCommand,
  reportCommand,
  demoCommand,
  dbCommand,
] as CommandModule[];
