/**
 * Failover: writes acknowledged before a failover are all there after it (one shared log stands
 * for quorum replication), and a leader failing mid-append (committed, never acknowledged)
 * leaves the client an error whose retry with the same event ids commits nothing twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
  total,
  uniqueStream,
  useClusterHarness,
} from './support/cluster.js';

const capabilities = clusterCapabilities();

describe.runIf(capabilities.nodeControl)('failover', () => {
  const harness = useClusterHarness();
  afterEach(() => startAll(controlOf(harness())));

  for (const how of ['step-down', 'stop'] as const) {
    it(`loses no acknowledged write when the leader ${how === 'stop' ? 'stops' : 'steps down'}`, async () => {
      const control = controlOf(harness());
      const client = clientOn(harness().multiHostUri);
      const stream = uniqueStream('failover');
      try {
        for (let n = 0; n < 3; n++) await client.appendToStream(stream, [event(`Before${n}`)]);
        const old = control.leader();
        const elected = await control.failover({ how });
        expect(elected).not.toBe(old);
        expect(elected.state).toBe('leader');
        expect(old?.state).toBe(how === 'stop' ? 'stopped' : 'follower');
        for (let n = 0; n < 3; n++) {
          await eventually(() => client.appendToStream(stream, [event(`After${n}`)]));
        }
      } finally {
        await client.dispose();
      }
      const fresh = clientOn(harness().multiHostUri);
      try {
        expect(await readTypes(fresh, stream)).toEqual([
          'Before0',
          'Before1',
          'Before2',
          'After0',
          'After1',
          'After2',
        ]);
      } finally {
        await fresh.dispose();
      }
    });
  }

  it('a leader failing after the commit leaves the client an error; the retry commits nothing twice', async () => {
    const control = controlOf(harness());
    const client = clientOn(harness().multiHostUri);
    const stream = uniqueStream('after-commit');
    try {
      await client.appendToStream(stream, [event('First')]);
      const old = control.leader();
      const committedBefore = total(control, 'appendsCommitted');
      const failedOver = control.failover({ afterCommit: true });
      const events = [event('Second')];
      const error = await errorOf(client.appendToStream(stream, events));
      expect(isUnavailable(error)).toBe(true);
      const elected = await failedOver;
      expect(elected).not.toBe(old);
      // The write was committed by the old leader although the client never heard of it.
      expect(total(control, 'appendsCommitted')).toBe(committedBefore + 1);
      // Retrying the same events (same ids) on the new leader is idempotent.
      await eventually(() => client.appendToStream(stream, events));
      expect(total(control, 'appendsCommitted')).toBe(committedBefore + 1);
      expect(await eventually(() => readTypes(client, stream))).toEqual(['First', 'Second']);
    } finally {
      await client.dispose();
    }
  });

  it('a node restarted after a stop listens on the same port and rejoins as a follower', async () => {
    const control = controlOf(harness());
    const node = control.nodes.find((candidate) => candidate.state === 'follower');
    if (node === undefined) throw new Error('no follower');
    const port = node.port;
    await control.stopNode(node.index);
    expect(node.state).toBe('stopped');
    expect(control.leader()).toBeDefined();
    await control.startNode(node.index);
    expect(node.port).toBe(port);
    expect(node.state).toBe('follower');
  });

  it('two nodes down out of three leave no leader: the last one is unknown and refuses writes as not ready', async () => {
    const control = controlOf(harness());
    const [survivor, ...others] = control.nodes;
    if (survivor === undefined) throw new Error('no nodes');
    for (const node of others) await control.stopNode(node.index);
    expect(control.leader()).toBeUndefined();
    expect(survivor.state).toBe('unknown');
    const client = clientOn(survivor.uri);
    try {
      const error = await errorOf(
        client.appendToStream(uniqueStream(), [event('NoQuorum')], {
          credentials: { username: 'admin', password: 'changeit' },
        }),
      );
      expect(isUnavailable(error)).toBe(true);
      expect((error as Error).message).toContain('Server Is Not Ready');
    } finally {
      await client.dispose();
    }
  });
});
