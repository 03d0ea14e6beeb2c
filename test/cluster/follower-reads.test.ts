/**
 * Follower reads: with `nodePreference=follower` both clients pick a follower, which serves
 * reads and subscriptions itself (the bridge then sends no `requires-leader`).
 */
import { describe, expect, it } from 'vitest';
import {
  clientOn,
  event,
  readTypes,
  total,
  uniqueStream,
  useClusterHarness,
} from './support/cluster.js';

const isFollower = (state: string) => state === 'follower';
const isLeader = (state: string) => state === 'leader';

describe('follower reads', () => {
  const harness = useClusterHarness();

  it('a nodePreference=follower client reads through a follower what the leader wrote', async () => {
    const writer = clientOn(harness().discoverUri);
    const reader = clientOn(harness().discoverUri, 'nodePreference=follower');
    const control = harness().control;
    try {
      const stream = uniqueStream('follower-read');
      await writer.appendToStream(stream, [event('One'), event('Two')]);
      const leaderReads = control === undefined ? 0 : total(control, 'readsServed', isLeader);
      const followerReads = control === undefined ? 0 : total(control, 'readsServed', isFollower);
      expect(await readTypes(reader, stream)).toEqual(['One', 'Two']);
      if (control !== undefined) {
        expect(total(control, 'readsServed', isFollower)).toBe(followerReads + 1);
        expect(total(control, 'readsServed', isLeader)).toBe(leaderReads);
      }
    } finally {
      await Promise.all([writer.dispose(), reader.dispose()]);
    }
  });

  it('a nodePreference=follower subscription is served by a follower and sees new writes', async () => {
    const writer = clientOn(harness().discoverUri);
    const reader = clientOn(harness().discoverUri, 'nodePreference=follower');
    const control = harness().control;
    const stream = uniqueStream('follower-subscription');
    const followerReads = control === undefined ? 0 : total(control, 'readsServed', isFollower);
    const leaderReads = control === undefined ? 0 : total(control, 'readsServed', isLeader);
    const subscription = reader.subscribeToStream(stream);
    try {
      const received: string[] = [];
      const done = (async () => {
        for await (const resolved of subscription) {
          received.push(resolved.event?.type ?? '?');
          if (received.length === 2) return;
        }
      })();
      await new Promise<void>((resolve) => subscription.once('confirmation', () => resolve()));
      await writer.appendToStream(stream, [event('Live1'), event('Live2')]);
      await done;
      expect(received).toEqual(['Live1', 'Live2']);
      if (control !== undefined) {
        expect(total(control, 'readsServed', isFollower)).toBe(followerReads + 1);
        expect(total(control, 'readsServed', isLeader)).toBe(leaderReads);
      }
    } finally {
      await subscription.unsubscribe();
      await Promise.all([writer.dispose(), reader.dispose()]);
    }
  });
});
