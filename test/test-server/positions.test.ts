import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import {
  BACKWARDS,
  END,
  eventTypeFilter,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  type ReadAllOptions,
  START,
} from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import { startKurrentDBTestServer } from '../../src/testing/test-server/start-test-server.js';
import { useOwnServer } from './support/own-server.js';
import { readAllResponses, streamsPb } from './support/raw-grpc.js';
import { allFrom, readRequest } from './support/requests.js';

const own = useOwnServer();

async function appendOne(stream: string) {
  const result = await own.client.appendToStream(stream, [jsonEvent({ type: 'Placed', data: {} })]);
  if (result.position === undefined) throw new Error('no position');
  return result.position;
}

/** The commit positions of the events a `readAll` with `options` gives. */
async function readCommits(options: ReadAllOptions): Promise<bigint[]> {
  const commits: bigint[] = [];
  for await (const resolved of own.client.readAll(options)) {
    commits.push(resolved.event?.position.commit ?? -1n);
  }
  return commits;
}

describe('a fresh log', () => {
  it('already holds $-typed system events in $-streams, before any user event', async () => {
    const fresh = await startKurrentDBTestServer();
    const freshClient = KurrentDBClient.connectionString(fresh.uri);
    try {
      const events: Array<{ stream: string; type: string; commit: bigint }> = [];
      for await (const resolved of freshClient.readAll({ fromPosition: START, maxCount: 100 })) {
        const event = resolved.event;
        if (event !== undefined) {
          events.push({ stream: event.streamId, type: event.type, commit: event.position.commit });
        }
      }
      expect(events.length).toBeGreaterThanOrEqual(3);
      for (const event of events) {
        expect(event.stream.startsWith('$')).toBe(true);
        expect(event.type.startsWith('$')).toBe(true);
      }
      expect(events[0]?.commit).toBeGreaterThan(0n);
    } finally {
      await freshClient.dispose();
      await fresh.stop();
    }
  });
});

describe('positions that are not a record boundary', () => {
  it('fail a $all read as the chunk reader does (UNKNOWN, InvalidPosition)', async () => {
    const position = await appendOne(`pos-${randomUUID()}`);
    const request = readRequest((options) => {
      options.setAll(allFrom({ commit: position.commit + 1n, prepare: position.prepare + 1n }));
      options.setCount('10');
    });
    const { status: s, responses } = await readAllResponses(own.raw, request);
    expect(responses).toHaveLength(0);
    expect(s.code).toBe(status.UNKNOWN);
    expect(s.details).toMatch(/^Unexpected ReadAllResult: InvalidPosition >> /);
  });

  it('fail a $all subscription after its confirmation (INVALID_ARGUMENT)', async () => {
    const position = await appendOne(`pos-${randomUUID()}`);
    await appendOne(`pos-${randomUUID()}`);
    const request = readRequest((options) => {
      options.setAll(allFrom({ commit: position.commit - 1n, prepare: position.prepare - 1n }));
      options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
    });
    const { status: s, responses } = await readAllResponses(own.raw, request);
    expect(responses.map((r) => r.getContentCase())).toEqual([
      streamsPb.ReadResp.ContentCase.CONFIRMATION,
    ]);
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe('Trying to read from an invalid position.');
  });

  it('are fine for a subscription when beyond the end of the log (it goes live)', async () => {
    const position = await appendOne(`pos-${randomUUID()}`);
    const subscription = own.client.subscribeToAll({
      fromPosition: {
        commit: position.commit + 1_000_000n,
        prepare: position.prepare + 1_000_000n,
      },
    });
    const caughtUp = await new Promise<unknown>((resolve) =>
      subscription.once('caughtUp', resolve),
    );
    expect(caughtUp).toMatchObject({ position: { commit: position.commit + 1_000_000n } });
    await subscription.unsubscribe();
  });
});

describe('read boundaries', () => {
  it('includes the start position forwards and excludes it backwards', async () => {
    const stream = `pos-${randomUUID()}`;
    const first = await appendOne(stream);
    const second = await appendOne(stream);
    const forwards = await readCommits({ fromPosition: second, direction: FORWARDS, maxCount: 1 });
    const backwards = await readCommits({
      fromPosition: second,
      direction: BACKWARDS,
      maxCount: 1,
    });
    expect(forwards).toEqual([second.commit]);
    expect(backwards).toEqual([first.commit]);
  });

  it('reads backwards from END starting with the newest event', async () => {
    const position = await appendOne(`pos-${randomUUID()}`);
    expect(await readCommits({ fromPosition: END, maxCount: 1 })).toEqual([position.commit]);
  });
});

describe('filtered checkpoints', () => {
  it('are positions a subscription can resume from', async () => {
    const type = `Marker${randomUUID().replaceAll('-', '')}`;
    const filter = eventTypeFilter({ prefixes: [type] });
    const first = own.client.subscribeToAll({ fromPosition: START, filter });
    const checkpoint = await new Promise<{ commit: bigint; prepare: bigint }>((resolve) => {
      first.on('caughtUp', (info: { position?: { commit: bigint; prepare: bigint } }) => {
        if (info.position !== undefined) resolve(info.position);
      });
    });
    await first.unsubscribe();
    await own.client.appendToStream(`pos-${randomUUID()}`, [jsonEvent({ type, data: { n: 1 } })]);
    const resumed = own.client.subscribeToAll({ fromPosition: checkpoint, filter });
    for await (const resolved of resumed) {
      expect(resolved.event?.type).toBe(type);
      break;
    }
    await resumed.unsubscribe();
  });
});
