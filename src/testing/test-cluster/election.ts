/**
 * The test cluster's election, reduced to its outcome: a cluster has a leader only while a
 * quorum (a majority of its nodes) runs. A running leader stays leader; otherwise the next
 * running node after the previous leader (by index, round-robin) wins, never a leader that
 * steps down. Without quorum every running node is `unknown`, as a real node is while it keeps
 * holding elections that cannot succeed.
 *
 * @module
 */
import type { ClusterNode } from './cluster-node.js';

/** A majority of `size` nodes. */
export function quorumOf(size: number): number {
  return Math.floor(size / 2) + 1;
}

/**
 * Runs the election over `nodes` and sets every running node's state; returns the leader.
 *
 * @param previous the last leader, running or not
 * @param resigning true when `previous` steps down and must not be re-elected
 */
export function elect(
  nodes: readonly ClusterNode[],
  previous: ClusterNode | undefined,
  resigning = false,
): ClusterNode | undefined {
  const running = nodes.filter((node) => node.running);
  let leader: ClusterNode | undefined;
  if (running.length >= quorumOf(nodes.length)) {
    if (previous?.running && !resigning) leader = previous;
    const start = previous === undefined ? 0 : previous.index + 1;
    for (let step = 0; step < nodes.length && leader === undefined; step++) {
      const candidate = nodes[(start + step) % nodes.length];
      if (candidate?.running && candidate !== previous) leader = candidate;
    }
  }
  for (const node of running) {
    node.setState(leader === undefined ? 'unknown' : node === leader ? 'leader' : 'follower');
  }
  return leader;
}
