/**
 * The shape of one `eventsourcing-kurrentdb <command>`: a name, a one-line summary for the
 * usage text, and a `run` that resolves to the process exit code.
 *
 * @module
 */

/** Where a command writes and how it learns it should stop. */
export interface CliIo {
  /** Writes a line to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
  /** Resolves on the first SIGINT or SIGTERM. */
  untilSignal(): Promise<NodeJS.Signals>;
}

/** One CLI command. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Usage line(s) after the program name, e.g. `test-server [--port 2113]`. */
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Exit code for usage errors (unknown command, bad flag). */
export const EXIT_USAGE = 2;
