import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { WitError } from '../core/index.js';
import { commands } from './commands/index.js';
import { flagValueCheck } from './commands/options.js';
import { stopExitCode } from './commands/stop-signals.js';
import { reportFailure } from './report-failure.js';

const typed = hideBin(process.argv);
const cli = yargs(typed)
  .scriptName('wit')
  .usage('$0 <command> [options]\n\nBuild a CLIP-style WebImageText dataset and train a bag-of-words contrastive model on it.')
  .command(commands)
  .demandCommand(1, 'Name a command: `wit --help` lists them.')
  .strict()
  .check(flagValueCheck(typed), true)
  .recommendCommands()
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .epilogue('Each command has its own --help. Docs: README.md')
  .fail((message: string | null, error: Error | undefined) => {
    // yargs passes a message for bad flags (including a .check() that throws)
    // and none for an error thrown by a command handler.
    if (error && (message === null || error instanceof WitError)) throw error;
    console.error(`wit: ${message}\nRun the command with --help to see its options.`);
    process.exit(2);
  });

try {
  await cli.parseAsync();
} catch (error) {
  const code = await reportFailure(error);
  // A library stopped by its abort signal says 130; which signal it was is the CLI's to tell.
  process.exitCode = code === 130 ? stopExitCode() : code;
}
