/**
 * The member states of KurrentDB's gossip (`gossip.proto` `MemberInfo.VNodeState`) that the test
 * cluster's nodes take, and how the cluster names them.
 *
 * @module
 */

/** What a test cluster node is: the cluster's roles plus `unknown` (no quorum) and `stopped`. */
export type TestNodeState = 'leader' | 'follower' | 'unknown' | 'stopped';

/** `VNodeState` numbers, as on the wire. */
export const VNODE_STATE: Readonly<Record<TestNodeState, number>> = Object.freeze({
  unknown: 2,
  follower: 6,
  leader: 8,
  stopped: 11, // Shutdown
});
