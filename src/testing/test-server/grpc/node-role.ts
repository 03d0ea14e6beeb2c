/**
 * What a node's role decides for each request: serve it, or refuse it with the error a node in
 * that state sends (`ClusterVNodeController`: a follower refuses requests that carry
 * `requires-leader: true` with the leader's endpoint; a node without a leader refuses writes as
 * not ready). A standalone test server is a leader that never refuses.
 *
 * @module
 */
import type { RpcError } from './rpc-errors.js';

/** Reads (and subscriptions) or writes (appends, deletes, tombstones). */
export type RequestKind = 'read' | 'write';

/**
 * Why a node refuses a request, with the call status it sends.
 * - `not-leader`: `RpcExceptions.LeaderInfo` (NOT_FOUND, `exception: not-leader`).
 * - `not-ready`: `RpcExceptions.ServerNotReady` (UNAVAILABLE, "Server Is Not Ready").
 */
export interface Refusal {
  readonly reason: 'not-leader' | 'not-ready';
  readonly error: RpcError;
}

/** A node's role, as the handlers see it. */
export interface NodeRole {
  /** The refusal for a request of `kind`, or undefined when this node serves it. */
  refusal(kind: RequestKind, requiresLeader: boolean): Refusal | undefined;
  /**
   * Called after an append received by this node was committed, before it is acknowledged.
   * `recordsWritten` is false for an idempotent re-append that wrote nothing. Returns false when
   * the node must not acknowledge (fault injection: it dropped its connections instead).
   */
  appendCommitted(recordsWritten: boolean): boolean;
}

/** The role of a standalone node: the leader of a cluster of one, serving everything. */
export const STANDALONE_ROLE: NodeRole = Object.freeze({
  refusal: () => undefined,
  appendCommitted: () => true,
});

/** The `requires-leader` request header, parsed as the node does (a boolean, default false). */
export function requiresLeaderOf(metadata: { get(key: string): unknown[] }): boolean {
  const [value] = metadata.get('requires-leader');
  return typeof value === 'string' && value.trim().toLowerCase() === 'true';
}
