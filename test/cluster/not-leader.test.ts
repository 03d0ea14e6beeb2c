/**
 * NotLeader (`RpcExceptions.LeaderInfo`: NOT_FOUND, `exception: not-leader`, the leader's
 * endpoint): a follower refuses what requires the leader, the clients reconnect to the leader,
 * and a discover client keeps writing to whichever node leads.
 */
import { NotLeaderError } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import { clusterCapabilities, type TestClusterNode } from '../../src/testing/index.js';
import {
  clientOn,
  controlOf,
  errorOf,
  event,
  eventually,
  readTypes,
  startAll,
  uniqueStream,
  useClusterHarness,
} from './support/cluster.js';

const capabilities = clusterCapabilities();
const APPEND_CREDENTIALS = { username: 'admin', password: 'changeit' };

function expectNotLeader(error: unknown, leader: TestClusterNode | undefined): void {
  expect(error).toBeInstanceOf(NotLeaderError);
  expect((error as NotLeaderError).leader).toEqual({ address: leader?.host, port: leader?.port });
}

describe.runIf(capabilities.nodeControl)('NotLeader', () => {
  const harness = useClusterHarness();

  function follower(): TestClusterNode {
    const node = controlOf(harness()).nodes.find((candidate) => candidate.state === 'follower');
    if (node === undefined) throw new Error('no follower');
    return node;
  }

  const writes = [
    ['Append', { requiresLeader: true, credentials: APPEND_CREDENTIALS }],
    ['BatchAppend', { requiresLeader: true }],
  ] as const;
  for (const [path, options] of writes) {
    it(`a client pinned to a follower gets NotLeaderError for a requires-leader append (${path}), then writes to the leader`, async () => {
      const control = controlOf(harness());
      const client = clientOn(follower().uri);
      const stream = uniqueStream('not-leader');
      try {
        const error = await errorOf(client.appendToStream(stream, [event('Refused')], options));
        expectNotLeader(error, control.leader());
        // The client reconnected to the endpoint in the error: the retry is served by the leader.
        const before = control.leader()?.appendsCommitted ?? 0;
        await client.appendToStream(stream, [event('Accepted')], options);
        expect(control.leader()?.appendsCommitted).toBe(before + 1);
        // The Rust bridge is a transport of its own: still on the follower, refused once too.
        expectNotLeader(await errorOf(readTypes(client, stream)), control.leader());
        expect(await readTypes(client, stream)).toEqual(['Accepted']);
      } finally {
        await client.dispose();
      }
    });
  }

  it('deletes and tombstones that require the leader are refused by a follower', async () => {
    const control = controlOf(harness());
    for (const operation of ['deleteStream', 'tombstoneStream'] as const) {
      const client = clientOn(follower().uri);
      try {
        const error = await errorOf(client[operation](uniqueStream(), { requiresLeader: true }));
        expectNotLeader(error, control.leader());
      } finally {
        await client.dispose();
      }
    }
  });

  it('the Rust bridge, pinned to a follower with nodePreference=leader, gets NotLeaderError and then reads from the leader', async () => {
    const control = controlOf(harness());
    const writer = clientOn(harness().discoverUri);
    const stream = uniqueStream('bridge');
    await writer.appendToStream(stream, [event('Written')]);
    await writer.dispose();
    const reader = clientOn(follower().uri);
    try {
      const refused = follower();
      const served = refused.readsServed;
      expectNotLeader(await errorOf(readTypes(reader, stream)), control.leader());
      expect(refused.readsServed).toBe(served);
      expect(await readTypes(reader, stream)).toEqual(['Written']);
    } finally {
      await reader.dispose();
    }
  });

  it('a follower forwards a write that does not require the leader (the JS default)', async () => {
    const control = controlOf(harness());
    const client = clientOn(follower().uri);
    const before = control.leader()?.appendsCommitted ?? 0;
    try {
      const stream = uniqueStream('forwarded');
      await client.appendToStream(stream, [event('Forwarded')]);
      expect(control.leader()?.appendsCommitted).toBe(before + 1);
    } finally {
      await client.dispose();
    }
  });

  it('a discover client writing after a failover reaches the new leader', async () => {
    const control = controlOf(harness());
    const client = clientOn(harness().multiHostUri);
    const stream = uniqueStream('after-failover');
    try {
      await client.appendToStream(stream, [event('Before')]);
      const elected = await control.failover({ how: 'stop' });
      const before = elected.appendsCommitted;
      // The first write may meet the dropped connection; the client then rediscovers.
      await eventually(() => client.appendToStream(stream, [event('After')]));
      expect(elected.appendsCommitted).toBe(before + 1);
      expect(await eventually(() => readTypes(client, stream))).toEqual(['Before', 'After']);
    } finally {
      await client.dispose();
      await startAll(control);
    }
  });
});
