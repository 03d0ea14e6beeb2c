#!/usr/bin/env node
/**
 * Entry point of the `eventsourcing-kurrentdb` binary.
 *
 * @module
 */
import type { CliIo } from './cli-command.js';
import { COMMANDS } from './commands/registry.js';
import { runCli } from './run-cli.js';

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  untilSignal: () =>
    new Promise((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }),
};

process.exitCode = await runCli(process.argv.slice(2), COMMANDS, io);
