/**
 * `eventsourcing-kurrentdb demo`: the main demo (see `src/demo/run-demo.ts`), on an embedded
 * KurrentDB test server, so nothing needs installing.
 *
 * @module
 */
import { runDemo } from '../../demo/run-demo.js';
import type { CliCommand } from '../cli-command.js';
import { parseFlags } from '../parse-flags.js';

/** The `demo` command. */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'run the main demo on an embedded KurrentDB test server',
  usage: 'demo',
  async run(args, io) {
    parseFlags(args, []);
    await runDemo((line) => io.out(line));
    return 0;
  },
};
