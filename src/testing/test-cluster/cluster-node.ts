/**
 * One node of the in-process test cluster: a {@link NodeServer} that can be stopped and started
 * again on the same port, over the cluster's shared log, with the role the cluster's election
 * gave it. It is the node's {@link NodeRole}: what a real node in that state serves and refuses.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { AppendCommitFault } from '../test-server/grpc/append-fault.js';
import type { NodeRole, Refusal, RequestKind } from '../test-server/grpc/node-role.js';
import { notLeaderError, serverNotReadyError } from '../test-server/grpc/rpc-errors.js';
import type { EventLog } from '../test-server/log/event-log.js';
import {
  type ExtraService,
  type NodeServer,
  startNodeServer,
} from '../test-server/node/node-server.js';
import type { TestNodeState } from './vnode-state.js';

/** A node of a test cluster, as tests see it. */
export interface TestClusterNode {
  /** Position in `cluster.nodes`, from 0. */
  readonly index: number;
  readonly host: string;
  /** The node's port; the same after a restart. */
  readonly port: number;
  /** Connection string of this node alone, e.g. `kurrentdb://admin:changeit@127.0.0.1:2113?tls=false`. */
  readonly uri: string;
  /** The node's instance id (a UUID), as gossip reports it. */
  readonly instanceId: string;
  readonly state: TestNodeState;
  /** Appends (Append and BatchAppend requests) that wrote records while this node was leader. */
  readonly appendsCommitted: number;
  /** `Streams.Read` calls (reads and subscriptions) this node served itself. */
  readonly readsServed: number;
  /**
   * Fault injection: the next append this node receives is committed to the shared log, then
   * the node drops every client connection instead of acknowledging it, so the client sees an
   * `UnavailableError` for a write that happened. Resolves when that happened.
   */
  failNextAppendAfterCommit(): Promise<void>;
  /** Fault injection: drops every client connection; the node keeps listening. */
  disconnectClients(): void;
}

/** What a node needs from its cluster. */
export interface NodeCluster {
  readonly log: EventLog;
  /** The current leader, if the cluster has one. */
  leaderNode(): ClusterNode | undefined;
  /** The services every node serves beyond Streams and ServerFeatures (Gossip). */
  extraServices(): readonly ExtraService[];
}

/** A node, with the controls the cluster uses. */
export class ClusterNode implements TestClusterNode, NodeRole {
  readonly instanceId = randomUUID();
  state: TestNodeState = 'stopped';
  /** When `state` last changed (ms since the epoch). */
  stateSinceMs = Date.now();
  appendsCommitted = 0;
  readsServed = 0;
  private stopping: Promise<void> = Promise.resolve();
  private server: NodeServer | undefined;
  private listeningPort: number;
  private readonly fault = new AppendCommitFault();

  constructor(
    readonly index: number,
    readonly host: string,
    port: number,
    private readonly cluster: NodeCluster,
  ) {
    this.listeningPort = port;
  }

  get port(): number {
    return this.listeningPort;
  }

  get uri(): string {
    return `kurrentdb://admin:changeit@${this.host}:${this.port}?tls=false`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening (on the same port as before, if it ran before) as an `unknown` node. */
  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const state = {
      log: this.cluster.log,
      subscriptions: new Set<{ abort(): void }>(),
      now: Date.now,
      role: this,
    };
    const server = await startNodeServer({
      state,
      host: this.host,
      port: this.listeningPort,
      extraServices: this.cluster.extraServices(),
    });
    this.server = server;
    this.listeningPort = server.port;
    this.setState('unknown');
  }

  /** Stops like a dying node: the port closes and open calls end with a connection reset. */
  stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return this.stopping;
    this.server = undefined;
    this.fault.disarm();
    this.setState('stopped');
    this.stopping = server.kill();
    return this.stopping;
  }

  setState(state: TestNodeState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateSinceMs = Date.now();
  }

  /**
   * {@link TestClusterNode.failNextAppendAfterCommit}; `then` runs synchronously when the fault
   * fires, before any client can reconnect (the cluster fails over there).
   */
  failNextAppendAfterCommit(then?: () => void): Promise<void> {
    return this.fault.arm(then);
  }

  disconnectClients(): void {
    this.server?.disconnectClients();
  }

  refusal(kind: RequestKind, requiresLeader: boolean): Refusal | undefined {
    const refusal = this.refusalFor(kind, requiresLeader);
    if (refusal === undefined && kind === 'read') this.readsServed++;
    return refusal;
  }

  private refusalFor(kind: RequestKind, requiresLeader: boolean): Refusal | undefined {
    if (this.state === 'leader') return undefined;
    const leader = this.cluster.leaderNode();
    if (leader === undefined) {
      // `ClusterVNodeController`: without a leader, writes and leader-only reads are not ready.
      if (kind === 'read' && !requiresLeader) return undefined;
      return { reason: 'not-ready', error: serverNotReadyError() };
    }
    if (requiresLeader) {
      return { reason: 'not-leader', error: notLeaderError(leader.host, leader.port) };
    }
    // A follower serves reads itself and forwards writes to the leader.
    return undefined;
  }

  appendCommitted(recordsWritten: boolean): boolean {
    const leader = this.cluster.leaderNode();
    if (recordsWritten && leader !== undefined) leader.appendsCommitted++;
    return this.fault.strike(() => this.disconnectClients());
  }
}
