import type { Argv } from 'yargs';
import type { RobotsDirective } from '../../crawler/index.js';

/** `--db`, the one database file a crawl lives in. */
export function dbOption<T>(y: Argv<T>) {
  return y.option('db', { type: 'string', default: 'wit.db', describe: 'SQLite database file', normalize: true });
}

export type { RobotsDirective } from '../../crawler/index.js';

const robotsDirectives: RobotsDirective[] = ['noai', 'noimageai', 'noindex', 'noimageindex'];

/** `--disallowed-header-directives`, for every command that fetches (img2dataset's flag; all four by default, as there). */
export const disallowedDirectivesOption = {
  type: 'string',
  array: true,
  choices: robotsDirectives,
  default: robotsDirectives,
  describe: 'X-Robots-Tag / <meta name=robots> directives honoured: noai, noimageai (no training use), noindex, noimageindex',
} as const;
