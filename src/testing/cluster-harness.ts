/**
 * Picks the KurrentDB cluster a cluster test run talks to: `KURRENTDB_CLUSTER_URI` from the
 * environment (e.g. the docker-compose `cluster` profile), else the in-process test cluster.
 *
 * What a test may do depends on the source, and is named by {@link ClusterCapabilities}, never
 * by asking which source it is: only the in-process cluster can stop, start and fail over
 * nodes and count what each node served.
 *
 * @module
 */
import type { TestClusterNode } from './test-cluster/cluster-node.js';
import {
  type KurrentDBTestCluster,
  startKurrentDBTestCluster,
} from './test-cluster/start-test-cluster.js';

/** What a cluster harness lets tests do. */
export interface ClusterCapabilities {
  /**
   * Tests can stop, start and fail over nodes, inject faults and read per-node counters
   * (through {@link KurrentDBClusterHarness.control}).
   */
  readonly nodeControl: boolean;
  /** The connection string of each node alone is known ({@link KurrentDBClusterHarness.nodeUris}). */
  readonly nodeAddressing: boolean;
}

/** Node control: the in-process test cluster's controls. */
export type ClusterControl = Pick<
  KurrentDBTestCluster,
  'nodes' | 'leader' | 'stopNode' | 'startNode' | 'failover'
>;

/** A cluster for a test run. */
export interface KurrentDBClusterHarness {
  readonly source: 'environment' | 'test-cluster';
  readonly capabilities: ClusterCapabilities;
  /** A `+discover` connection string (for an environment URI: that URI). */
  readonly discoverUri: string;
  /** A multi-host (gossip seeds) connection string (for an environment URI: that URI). */
  readonly multiHostUri: string;
  /** One connection string per node, when {@link ClusterCapabilities.nodeAddressing}. */
  readonly nodeUris: readonly string[];
  /** Present when {@link ClusterCapabilities.nodeControl}. */
  readonly control: ClusterControl | undefined;
  stop(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

function environmentUri(env: Env): string | undefined {
  const uri = env.KURRENTDB_CLUSTER_URI;
  return uri === undefined || uri === '' ? undefined : uri;
}

/** The single-node connection strings of a multi-host URI (empty for one host or `+discover`). */
function nodeUrisOf(uri: string): string[] {
  const match = /^([a-z+]+):\/\/([^@/]*@)?([^/?]*)\/?(\?.*)?$/i.exec(uri);
  const [, scheme, user = '', hosts = '', query = ''] = match ?? [];
  if (scheme === undefined || scheme.includes('+discover')) return [];
  const list = hosts.split(',');
  return list.length < 2 ? [] : list.map((host) => `${scheme}://${user}${host}${query}`);
}

/**
 * The capabilities the harness will have, known before it starts (so tests can be skipped at
 * collection time with `it.runIf`).
 */
export function clusterCapabilities(env: Env = process.env): ClusterCapabilities {
  const uri = environmentUri(env);
  if (uri === undefined) return { nodeControl: true, nodeAddressing: true };
  return { nodeControl: false, nodeAddressing: nodeUrisOf(uri).length > 0 };
}

/**
 * Starts (or finds) a cluster for a test run.
 *
 * @param env where to read `KURRENTDB_CLUSTER_URI`. @defaultValue `process.env`
 */
export async function startKurrentDBClusterHarness(
  env: Env = process.env,
): Promise<KurrentDBClusterHarness> {
  const uri = environmentUri(env);
  if (uri !== undefined) {
    return {
      source: 'environment',
      capabilities: clusterCapabilities(env),
      discoverUri: uri,
      multiHostUri: uri,
      nodeUris: nodeUrisOf(uri),
      control: undefined,
      stop: async () => undefined,
    };
  }
  const cluster = await startKurrentDBTestCluster({ nodes: 3 });
  return {
    source: 'test-cluster',
    capabilities: clusterCapabilities(env),
    discoverUri: cluster.discoverUri,
    multiHostUri: cluster.multiHostUri,
    nodeUris: cluster.nodes.map((node: TestClusterNode) => node.uri),
    control: cluster,
    stop: () => cluster.stop(),
  };
}
