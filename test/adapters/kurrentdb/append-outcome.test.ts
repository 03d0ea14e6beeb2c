/**
 * Honest append failures on a single node: an append the server committed but never
 * acknowledged (it dropped the connection instead) fails with an `OperationalError` saying the
 * events may or may not have been stored; appending the same events again stores them exactly
 * once. An append that never reached the server says nothing of the kind.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
} from '../../../src/adapters/kurrentdb/index.js';
import { OperationalError, PersistenceError } from '../../../src/core/errors.js';
import { makeEvent, rejectionOf } from '../../../src/testing/contract/fixtures.js';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../../src/testing/test-server/start-test-server.js';
import { freePort } from '../../support/free-port.js';

describe('append outcome on a single node', () => {
  const servers: KurrentDBTestServer[] = [];
  const open: KurrentDBApplicationRecorder[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  const recorderOn = (uri: string): KurrentDBApplicationRecorder => {
    const recorder = new KurrentDBApplicationRecorder(new KurrentDBConnection({ uri }));
    open.push(recorder);
    return recorder;
  };

  it('says "may or may not have been stored" for an append committed but not acknowledged; the same append again stores it once', async () => {
    const server = await startKurrentDBTestServer();
    servers.push(server);
    const recorder = recorderOn(server.uri);
    const id = randomUUID();
    await recorder.insertEvents([makeEvent(id, 0)]);
    const events = [makeEvent(id, 1), makeEvent(id, 2)];

    const fired = server.failNextAppendAfterCommit();
    const error = await rejectionOf(recorder.insertEvents(events));
    await fired;
    expect(error).toBeInstanceOf(OperationalError);
    const message = (error as Error).message;
    expect(message).toContain(`Failed to append to stream '${id}'`);
    expect(message).toMatch(/may or may not have been stored/);
    expect(message).toMatch(
      /execute the command again with the same commandId, which stores it at most once/,
    );
    expect((error as Error).cause).toBeInstanceOf(Error);

    // It was stored: the same events (same ids, same versions) again are recognised.
    const ids = await recorder.insertEvents(events);
    expect(ids).toHaveLength(2);
    const stored = await recorder.selectEvents(id);
    expect(stored.map((e) => e.originatorVersion)).toEqual([0, 1, 2]);
    expect(stored.map((e) => e.eventId).slice(1)).toEqual(events.map((e) => e.eventId));
    const all = await recorder.selectNotifications({ start: 0n, limit: 1_000_000 });
    const ofStream = all.filter((n) => n.originatorId === id);
    expect(ofStream.map((n) => n.originatorVersion)).toEqual([0, 1, 2]);
    const eventIds = all.map((n) => n.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
  });

  it('fires the fault once: the next append is acknowledged again', async () => {
    const server = await startKurrentDBTestServer();
    servers.push(server);
    const recorder = recorderOn(server.uri);
    const id = randomUUID();
    const fired = server.failNextAppendAfterCommit();
    expect(await rejectionOf(recorder.insertEvents([makeEvent(id, 0)]))).toBeInstanceOf(
      OperationalError,
    );
    await fired;
    await recorder.insertEvents([makeEvent(id, 1)]);
    expect((await recorder.selectEvents(id)).map((e) => e.originatorVersion)).toEqual([0, 1]);
  });

  it('says nothing of the kind when the append never reached a server (connection refused)', async () => {
    const recorder = recorderOn(
      `kurrentdb://admin:changeit@127.0.0.1:${await freePort()}?tls=false`,
    );
    const error = await rejectionOf(recorder.insertEvents([makeEvent(randomUUID(), 0)]));
    expect(error).toBeInstanceOf(PersistenceError);
    expect(error).not.toBeInstanceOf(OperationalError);
    expect((error as Error).message).toMatch(/^Failed to append to stream/);
    expect((error as Error).message).not.toMatch(/may or may not/);
  });
});
