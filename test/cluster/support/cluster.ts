/**
 * Shared helpers of the cluster fidelity tests: clients, reads, error checks and the node
 * control the in-process cluster offers (tests that need it run only with
 * `clusterCapabilities().nodeControl`).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { jsonEvent, KurrentDBClient, START, UnavailableError } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll } from 'vitest';
import {
  type ClusterControl,
  type KurrentDBClusterHarness,
  startKurrentDBClusterHarness,
} from '../../../src/testing/index.js';

export { errorOf } from '../../fidelity/support/errors.js';

/** A stream name no other test uses. */
export function uniqueStream(prefix = 'cluster'): string {
  return `${prefix}-${randomUUID()}`;
}

/** A client on `uri` with extra query parameters (e.g. `nodePreference=follower`). */
export function clientOn(uri: string, extraQuery?: string): KurrentDBClient {
  return KurrentDBClient.connectionString(extraQuery === undefined ? uri : `${uri}&${extraQuery}`);
}

/** The event types of a stream, read through the Rust bridge. */
export async function readTypes(client: KurrentDBClient, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const resolved of client.readStream(stream, { fromRevision: START })) {
    types.push(resolved.event?.type ?? '?');
  }
  return types;
}

/** One JSON event of `type`. */
export function event(type: string) {
  return jsonEvent({ type, data: { type } });
}

/** The node control of a harness that has the `nodeControl` capability. */
export function controlOf(harness: KurrentDBClusterHarness): ClusterControl {
  if (harness.control === undefined) throw new Error('this test needs nodeControl');
  return harness.control;
}

/**
 * True for what the client reports when it cannot reach a node: `UnavailableError`, or the raw
 * grpc-js UNAVAILABLE error a JS call rethrows when the ServerFeatures handshake itself failed.
 */
export function isUnavailable(error: unknown): boolean {
  return error instanceof UnavailableError || (error as { code?: unknown }).code === 14;
}

/** Retries `operation` until it succeeds or `timeoutMs` passed (client backoff after outages). */
export async function eventually<T>(operation: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Sum of a per-node counter over the nodes `pick` selects. */
export function total(
  control: ClusterControl,
  counter: 'appendsCommitted' | 'readsServed',
  pick: (state: string) => boolean = () => true,
): number {
  return control.nodes
    .filter((node) => pick(node.state))
    .reduce((sum, node) => sum + node[counter], 0);
}

/** Starts every stopped node again (after a test that stopped some). */
export async function startAll(control: ClusterControl): Promise<void> {
  for (const node of control.nodes) {
    if (node.state === 'stopped') await control.startNode(node.index);
  }
}

/** Starts a cluster harness for the enclosing suite (stopped after it); returns its getter. */
export function useClusterHarness(): () => KurrentDBClusterHarness {
  let harness: KurrentDBClusterHarness | undefined;
  beforeAll(async () => {
    harness = await startKurrentDBClusterHarness();
  });
  afterAll(() => harness?.stop());
  return () => {
    if (harness === undefined) throw new Error('the cluster harness has not started');
    return harness;
  };
}
