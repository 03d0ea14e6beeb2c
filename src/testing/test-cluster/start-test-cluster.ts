/**
 * An in-process KurrentDB test cluster: several test-server nodes over one shared log, with
 * gossip, leader election, node roles (followers refuse what requires the leader, with the
 * leader's endpoint) and node control (stop, start, failover, faults).
 *
 * Replication model: every node reads and writes the same log, so a write is on every node the
 * moment it is committed. That is what KurrentDB's quorum acknowledgement guarantees to a client
 * (an acknowledged write is on a majority, and only a node holding every acknowledged write can
 * win an election); what it leaves out is a follower lagging behind the leader.
 *
 * @module
 */
import { writeBootstrapEvents } from '../test-server/log/bootstrap.js';
import { EventLog } from '../test-server/log/event-log.js';
import type { ExtraService } from '../test-server/node/node-server.js';
import { ClusterNode, type TestClusterNode } from './cluster-node.js';
import { elect, quorumOf } from './election.js';
import { type GossipMember, gossipService } from './gossip-service.js';

/** Options of {@link startKurrentDBTestCluster}. */
export interface KurrentDBTestClusterOptions {
  /** Number of nodes. @defaultValue 3 */
  nodes?: number;
  /** Interface every node listens on. @defaultValue `127.0.0.1` */
  host?: string;
  /** Port of each node (one per node); absent or 0 picks a free one. */
  ports?: readonly number[];
}

/** Options of {@link KurrentDBTestCluster.failover}. */
export interface FailoverOptions {
  /**
   * How the leader stops being leader: `'step-down'` (it stays up as a follower) or `'stop'`
   * (it stops, as {@link KurrentDBTestCluster.stopNode}). @defaultValue `'step-down'`
   */
  how?: 'step-down' | 'stop';
  /**
   * Fail over in the middle of the leader's next append instead of now: the append is committed
   * to the log, then the leader drops its client connections without acknowledging it, and the
   * failover happens. The promise resolves once that append came and the new leader is elected.
   */
  afterCommit?: boolean;
}

/** A running test cluster. */
export interface KurrentDBTestCluster extends AsyncDisposable {
  /** `kurrentdb+discover://admin:changeit@<host>:<first port>?tls=false`. */
  readonly discoverUri: string;
  /** `kurrentdb://admin:changeit@<host>:<p1>,<host>:<p2>,…?tls=false` (gossip seeds). */
  readonly multiHostUri: string;
  readonly nodes: readonly TestClusterNode[];
  /** The current leader, or undefined while the cluster has no quorum. */
  leader(): TestClusterNode | undefined;
  /** Stops node `index` (its port closes, its calls end with a connection reset); re-elects. */
  stopNode(index: number): Promise<void>;
  /** Starts node `index` again on its port; re-elects. */
  startNode(index: number): Promise<void>;
  /** Makes another running node the leader; resolves to it once gossip reports it. */
  failover(options?: FailoverOptions): Promise<TestClusterNode>;
  /** Stops every node. Idempotent. */
  stop(): Promise<void>;
}

class TestCluster implements KurrentDBTestCluster {
  readonly log = new EventLog();
  readonly nodes: ClusterNode[];
  private readonly gossip: ExtraService;
  /** The last elected leader, even if it stopped since. */
  private lastLeader: ClusterNode | undefined;

  constructor(count: number, host: string, ports: readonly number[]) {
    this.gossip = gossipService(() => this.members());
    this.nodes = Array.from(
      { length: count },
      (_, index) => new ClusterNode(index, host, ports[index] ?? 0, this),
    );
  }

  get discoverUri(): string {
    const first = this.nodes[0];
    return `kurrentdb+discover://admin:changeit@${first?.host}:${first?.port}?tls=false`;
  }

  get multiHostUri(): string {
    const hosts = this.nodes.map((node) => `${node.host}:${node.port}`).join(',');
    return `kurrentdb://admin:changeit@${hosts}?tls=false`;
  }

  leaderNode(): ClusterNode | undefined {
    return this.nodes.find((node) => node.state === 'leader');
  }

  leader(): TestClusterNode | undefined {
    return this.leaderNode();
  }

  extraServices(): readonly ExtraService[] {
    return [this.gossip];
  }

  private members(): GossipMember[] {
    return this.nodes.map((node) => ({
      instanceId: node.instanceId,
      sinceMs: node.stateSinceMs,
      state: node.state,
      isAlive: node.running,
      host: node.host,
      port: node.port,
    }));
  }

  private node(index: number): ClusterNode {
    const node = this.nodes[index];
    if (node === undefined)
      throw new RangeError(`no node ${index} in a cluster of ${this.nodes.length}`);
    return node;
  }

  /** Re-elects; a resigning leader is not re-elected. */
  elect(resigning = false): void {
    this.lastLeader = elect(this.nodes, this.lastLeader, resigning) ?? this.lastLeader;
  }

  async stopNode(index: number): Promise<void> {
    const stopped = this.node(index).stop();
    this.elect();
    await stopped;
  }

  async startNode(index: number): Promise<void> {
    await this.node(index).start();
    this.elect();
  }

  async failover(options: FailoverOptions = {}): Promise<TestClusterNode> {
    const old = this.leaderNode();
    if (old === undefined) throw new Error('the cluster has no leader to fail over from');
    const stays = options.how === 'stop' ? 0 : 1;
    const others = this.nodes.filter((node) => node.running && node !== old).length;
    if (others === 0 || others + stays < quorumOf(this.nodes.length)) {
      throw new Error('failing over would leave the cluster without a leader');
    }
    const failOver = (): void => {
      if (options.how === 'stop') void this.stopNode(old.index);
      else this.elect(true);
    };
    if (options.afterCommit === true) await old.failNextAppendAfterCommit(failOver);
    else failOver();
    if (options.how === 'stop') await old.stop();
    const leader = this.leaderNode();
    if (leader === undefined || leader === old) throw new Error('no other node was elected');
    return leader;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Starts a test cluster; resolves once every node listens and a leader is elected. */
export async function startKurrentDBTestCluster(
  options: KurrentDBTestClusterOptions = {},
): Promise<KurrentDBTestCluster> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`a cluster needs a positive whole number of nodes, not ${count}`);
  }
  const cluster = new TestCluster(count, options.host ?? '127.0.0.1', options.ports ?? []);
  try {
    for (const node of cluster.nodes) await node.start();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  cluster.elect();
  const leader = cluster.leaderNode();
  if (leader !== undefined) writeBootstrapEvents(cluster.log, `${leader.host}:${leader.port}`);
  return cluster;
}
