#!/usr/bin/env node
/**
 * Entry point of the `eventsourcing-kurrentdb` binary.
 *
 * @module
 */
import type { CliIo } from './cli-command.js';
import { COMMANDS } from './commands/registry.js';
import { runCli } from './run-cli.js';

// Listen for SIGINT/SIGTERM from the start: a command that prints its address and then waits
// would otherwise leave a moment in which a signal sent on reading that line kills the process.
// A command that never waits for one (e.g. `demo`) is ended by the signal as usual.
let received: NodeJS.Signals | undefined;
let awaited = false;
const waiting: ((signal: NodeJS.Signals) => void)[] = [];
const onSignal = (signal: NodeJS.Signals): void => {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (!awaited) process.exit(signal === 'SIGINT' ? 130 : 143); // as the default action would
  received = signal;
  for (const resolve of waiting.splice(0)) resolve(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  untilSignal: () =>
    new Promise((resolve) => {
      awaited = true;
      if (received !== undefined) resolve(received);
      else waiting.push(resolve);
    }),
};

process.exitCode = await runCli(process.argv.slice(2), COMMANDS, io);
// Commands that don't wait for a signal must not be kept from exiting by the listeners.
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
