/**
 * `eventsourcing-kurrentdb test-server [--port 2113] [--host 127.0.0.1] [--cluster 3]`: runs the
 * in-process KurrentDB-compatible test server until SIGINT or SIGTERM, printing its connection
 * string. With `--cluster <n>` it runs an n-node test cluster instead (ports `--port`,
 * `--port`+1, …; `--port 0` picks free ones) and prints the `kurrentdb+discover://` and the
 * multi-host connection strings, one a line, then each node on stderr.
 *
 * @module
 */
import { ConfigurationError } from '../../core/errors.js';
import { startKurrentDBTestCluster } from '../../testing/test-cluster/start-test-cluster.js';
import { startKurrentDBTestServer } from '../../testing/test-server/start-test-server.js';
import type { CliCommand, CliIo } from '../cli-command.js';
import { parseFlags, parsePort } from '../parse-flags.js';

/** The default port, as a real node's. */
export const DEFAULT_TEST_SERVER_PORT = 2113;

function parseNodeCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 9) {
    throw new ConfigurationError(`'${text}' is not a valid cluster size (1-9)`);
  }
  return Number(text);
}

async function runCluster(io: CliIo, nodes: number, port: number, host: string): Promise<number> {
  const ports = Array.from({ length: nodes }, (_, index) => (port === 0 ? 0 : port + index));
  if (ports.some((p) => p > 65_535))
    throw new ConfigurationError(`'${port}' leaves no room for ${nodes} ports`);
  const cluster = await startKurrentDBTestCluster({ nodes, host, ports });
  io.out(cluster.discoverUri);
  io.out(cluster.multiHostUri);
  for (const node of cluster.nodes) io.err(`node ${node.index} ${node.state} ${node.uri}`);
  const signal = await io.untilSignal();
  io.err(`received ${signal}, stopping`);
  await cluster.stop();
  return 0;
}

/** The `test-server` command. */
export const testServerCommand: CliCommand = {
  name: 'test-server',
  summary: 'run the in-memory KurrentDB-compatible test server (or cluster) until SIGINT/SIGTERM',
  usage: 'test-server [--port 2113] [--host 127.0.0.1] [--cluster 3]',
  async run(args, io) {
    const flags = parseFlags(args, ['port', 'host', 'cluster']);
    const portFlag = flags.get('port');
    const port = portFlag === undefined ? DEFAULT_TEST_SERVER_PORT : parsePort(portFlag);
    const host = flags.get('host') ?? '127.0.0.1';
    const clusterFlag = flags.get('cluster');
    if (clusterFlag !== undefined) return runCluster(io, parseNodeCount(clusterFlag), port, host);
    const server = await startKurrentDBTestServer({ port, host });
    io.out(server.uri);
    const signal = await io.untilSignal();
    io.err(`received ${signal}, stopping`);
    await server.stop();
    return 0;
  },
};
