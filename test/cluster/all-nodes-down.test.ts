/**
 * All nodes down: every client fails (the ports are closed), and the same clients recover once
 * the nodes are back. The Rust bridge survives an outage only if its first read succeeded
 * before it (protocol doc §1.3): a client whose first read happens during the outage stays dead
 * and must be replaced by a fresh one.
 */
import { describe, expect, it } from 'vitest';
import { clusterCapabilities } from '../../src/testing/index.js';
import {
  clientOn,
  controlOf,
  errorOf,
  event,
  eventually,
  isUnavailable,
  readTypes,
  startAll,
  uniqueStream,
  useClusterHarness,
} from './support/cluster.js';

const capabilities = clusterCapabilities();

describe.runIf(capabilities.nodeControl)('all nodes down', () => {
  const harness = useClusterHarness();

  it('clients fail while every node is down and recover when the nodes return', async () => {
    const control = controlOf(harness());
    const stream = uniqueStream('outage');
    const seeds = clientOn(harness().multiHostUri, 'maxDiscoverAttempts=2');
    const pinned = clientOn(control.nodes[0]?.uri ?? '');
    const lateReader = clientOn(harness().multiHostUri);
    try {
      await seeds.appendToStream(stream, [event('BeforeOutage')]);
      expect(await readTypes(seeds, stream)).toEqual(['BeforeOutage']);
      expect(await readTypes(pinned, stream)).toEqual(['BeforeOutage']);

      for (const node of control.nodes) await control.stopNode(node.index);
      expect(control.leader()).toBeUndefined();

      // A pinned client sees the closed port as UNAVAILABLE.
      expect(isUnavailable(await errorOf(pinned.appendToStream(stream, [event('Lost')])))).toBe(
        true,
      );
      // Through gossip seeds, the JS client's discovery gives up with a plain Error.
      const discovery = await errorOf(seeds.appendToStream(stream, [event('Lost')]));
      expect((discovery as Error).message).toMatch(/^Failed to discover after 2 attempts\.$/);
      // Reads go through the Rust bridge: UnavailableError.
      expect(isUnavailable(await errorOf(readTypes(seeds, stream)))).toBe(true);
      expect(isUnavailable(await errorOf(readTypes(lateReader, stream)))).toBe(true);

      await startAll(control);
      expect(control.leader()).toBeDefined();

      // A pinned client recovers: its UNAVAILABLE made it drop the channel and the features.
      await eventually(() => pinned.appendToStream(stream, [event('AfterOutage')]));
      expect(await eventually(() => readTypes(pinned, stream))).toEqual([
        'BeforeOutage',
        'AfterOutage',
      ]);
      // The seeds client's reads (its bridge connected before the outage) recover too.
      expect(await eventually(() => readTypes(seeds, stream))).toEqual([
        'BeforeOutage',
        'AfterOutage',
      ]);
      // Its appends do not: the JS client caches the ServerFeatures lookup that failed with the
      // discovery error, and a plain Error triggers no reconnect, so it rethrows that error.
      expect(await errorOf(seeds.appendToStream(stream, [event('Stuck')]))).toBe(discovery);
      // A bridge whose first read failed never connects again; a fresh client does.
      expect(isUnavailable(await errorOf(readTypes(lateReader, stream)))).toBe(true);
      const fresh = clientOn(harness().multiHostUri);
      try {
        expect(await readTypes(fresh, stream)).toEqual(['BeforeOutage', 'AfterOutage']);
      } finally {
        await fresh.dispose();
      }
    } finally {
      await Promise.all([seeds.dispose(), pinned.dispose(), lateReader.dispose()]);
      await startAll(control);
    }
  });
});
