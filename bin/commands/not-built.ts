import type { CommandModule } from 'yargs';

/** A subcommand whose stage is not built yet: it says so and exits 2. */
export function notBuiltCommand(command: string, describe: string, issue: number): CommandModule {
  return {
    command,
    describe: `${describe} [not built yet: issue #${issue}]`,
    builder: (y) => y.strict(false),
    handler: async () => {
      const { NotBuiltError } = await import('../../db/index.js');
      throw new NotBuiltError(command.split(' ')[0]!, issue);
    },
  };
}
