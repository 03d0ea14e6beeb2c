/**
 * The command dispatcher behind the `eventsourcing-kurrentdb` binary: picks the command named by
 * the first argument and maps usage errors to exit code 2 with a clear message.
 *
 * @module
 */
import { EventSourcingError } from '../core/errors.js';
import { type CliCommand, type CliIo, EXIT_USAGE } from './cli-command.js';

/** The program name used in messages. */
export const PROGRAM = 'eventsourcing-kurrentdb';

/** The usage text for a set of commands. */
export function usageText(commands: readonly CliCommand[]): string {
  const lines = [`usage: ${PROGRAM} <command> [flags]`, '', 'commands:'];
  for (const command of commands) {
    lines.push(`  ${command.usage}`, `      ${command.summary}`);
  }
  return lines.join('\n');
}

/** Runs the CLI with `args` (without the node and script paths); resolves to the exit code. */
export async function runCli(
  args: readonly string[],
  commands: readonly CliCommand[],
  io: CliIo,
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(usageText(commands));
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.err(`${PROGRAM}: unknown command '${name}'`);
    io.err(usageText(commands));
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (EventSourcingError.hasCode(error, 'CONFIGURATION')) {
      io.err(`${PROGRAM} ${name}: ${(error as Error).message}`);
      io.err(`usage: ${PROGRAM} ${command.usage}`);
      return EXIT_USAGE;
    }
    io.err(`${PROGRAM} ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
