/**
 * `eventsourcing-kurrentdb test-server [--port 2113] [--host 127.0.0.1]`: runs the in-process
 * KurrentDB-compatible test server until SIGINT or SIGTERM, printing its connection string.
 *
 * @module
 */
import { startKurrentDBTestServer } from '../../testing/test-server/start-test-server.js';
import type { CliCommand } from '../cli-command.js';
import { parseFlags, parsePort } from '../parse-flags.js';

/** The default port, as a real node's. */
export const DEFAULT_TEST_SERVER_PORT = 2113;

/** The `test-server` command. */
export const testServerCommand: CliCommand = {
  name: 'test-server',
  summary: 'run the in-memory KurrentDB-compatible test server until SIGINT/SIGTERM',
  usage: 'test-server [--port 2113] [--host 127.0.0.1]',
  async run(args, io) {
    const flags = parseFlags(args, ['port', 'host']);
    const portFlag = flags.get('port');
    const port = portFlag === undefined ? DEFAULT_TEST_SERVER_PORT : parsePort(portFlag);
    const host = flags.get('host') ?? '127.0.0.1';
    const server = await startKurrentDBTestServer({ port, host });
    io.out(server.uri);
    const signal = await io.untilSignal();
    io.err(`received ${signal}, stopping`);
    await server.stop();
    return 0;
  },
};
