/**
 * Errors as the server encodes them and the client decodes them (protocol doc §2.1, §2.7, §2.8;
 * KurrentDB `RpcExceptions`, `Status`, `Streams.Append`/`Delete`/`BatchAppend`): status codes,
 * `exception` trailers, BatchAppend error details, the Append body's wrong-expected-version
 * fields, and the `throwOnAppendFailure=false` results.
 */
import { randomUUID } from 'node:crypto';
import { jsonEvent, NO_STREAM, STREAM_EXISTS } from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { APPEND_CREDENTIALS, createClient, uniqueStream } from './support/client.js';
import {
  appendMessage,
  appendOptions,
  batchMessage,
  batchRequest,
  expectingAny,
  grpc,
  rawAppend,
  rawBatchAppend,
  rawRead,
  rawStreamsClient,
  sharedPb,
  streamIdentifier,
  streamReadRequest,
  streamsPb,
  trailer,
} from './support/raw-grpc.js';
import { prepareStream } from './support/stream-states.js';

const JSON_EVENT = { type: 'Raw', contentType: 'application/json' } as const;

describe('errors', () => {
  const client = createClient();
  const raw = rawStreamsClient();
  afterAll(async () => {
    raw.close();
    await client.dispose();
  });

  /** A raw Delete, or with `hard` a Tombstone, of `stream` expecting `any`: the call's error. */
  function rawDelete(stream: string, hard: boolean) {
    return new Promise<grpc.ServiceError | null>((resolve) => {
      const metadata = new grpc.Metadata();
      const deadline = { deadline: Date.now() + 5_000 };
      if (hard) {
        const options = expectingAny(new streamsPb.TombstoneReq.Options(), stream);
        raw.tombstone(
          new streamsPb.TombstoneReq().setOptions(options),
          metadata,
          deadline,
          resolve,
        );
      } else {
        const options = expectingAny(new streamsPb.DeleteReq.Options(), stream);
        raw.delete(new streamsPb.DeleteReq().setOptions(options), metadata, deadline, resolve);
      }
    });
  }

  it('Delete wrong expected version: FAILED_PRECONDITION with the wrong-expected-version trailers', async () => {
    const stream = uniqueStream();
    const error = await rawDelete(stream, false);
    expect(error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    if (error === null) throw new Error('delete of a missing stream succeeded');
    expect(trailer(error, 'exception')).toBe('wrong-expected-version');
    expect(trailer(error, 'stream-name')).toBe(stream);
    expect(trailer(error, 'expected-version')).toBe('-2');
    expect(trailer(error, 'actual-version')).toBe('-1');
  });

  it('Tombstone of a tombstoned stream: FAILED_PRECONDITION with stream-deleted and stream-name', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    const error = await rawDelete(stream, true);
    if (error === null) throw new Error('second tombstone succeeded');
    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(trailer(error, 'exception')).toBe('stream-deleted');
    expect(trailer(error, 'stream-name')).toBe(stream);
  });

  it('Append to a tombstoned stream: FAILED_PRECONDITION with stream-deleted and stream-name', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    const outcome = await rawAppend(raw, [appendOptions(stream), appendMessage(JSON_EVENT)]);
    expect(outcome.error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    if (outcome.error === undefined) throw new Error('append succeeded');
    expect(trailer(outcome.error, 'exception')).toBe('stream-deleted');
    expect(trailer(outcome.error, 'stream-name')).toBe(stream);
  });

  it('Append wrong expected version: a response body with current and deprecated fields', async () => {
    const stream = await prepareStream(client, 'existing');
    const options = new streamsPb.AppendReq.Options();
    options.setStreamIdentifier(streamIdentifier(stream));
    options.setNoStream(new sharedPb.Empty());
    const outcome = await rawAppend(raw, [
      new streamsPb.AppendReq().setOptions(options),
      appendMessage(JSON_EVENT),
    ]);
    expect(outcome.error).toBeUndefined();
    const wev = outcome.response?.getWrongExpectedVersion();
    expect(wev).toBeDefined();
    expect(wev?.hasCurrentRevision()).toBe(true);
    expect(wev?.getCurrentRevision()).toBe('2');
    expect(wev?.hasExpectedNoStream()).toBe(true);
    expect(wev?.hasCurrentRevision2060()).toBe(true);
    expect(Number(wev?.getCurrentRevision2060())).toBe(2);
  });

  it('Append wrong expected version on a missing stream: current_no_stream', async () => {
    const stream = uniqueStream();
    const options = new streamsPb.AppendReq.Options();
    options.setStreamIdentifier(streamIdentifier(stream));
    options.setRevision('3');
    const outcome = await rawAppend(raw, [
      new streamsPb.AppendReq().setOptions(options),
      appendMessage(JSON_EVENT),
    ]);
    const wev = outcome.response?.getWrongExpectedVersion();
    expect(wev?.hasCurrentNoStream()).toBe(true);
    expect(wev?.getExpectedRevision()).toBe('3');
  });

  it('Read of a missing stream: one stream_not_found message, then the call ends OK', async () => {
    const stream = uniqueStream();
    const outcome = await rawRead(raw, streamReadRequest(stream, 10));
    expect(outcome.error).toBeUndefined();
    expect(outcome.messages.map((m) => m.getContentCase())).toEqual([
      streamsPb.ReadResp.ContentCase.STREAM_NOT_FOUND,
    ]);
    const name = outcome.messages[0]
      ?.getStreamNotFound()
      ?.getStreamIdentifier()
      ?.getStreamName_asU8();
    expect(Buffer.from(name ?? []).toString()).toBe(stream);
  });

  it('Read of a tombstoned stream: FAILED_PRECONDITION with stream-deleted', async () => {
    const stream = await prepareStream(client, 'tombstoned');
    const outcome = await rawRead(raw, streamReadRequest(stream, 10));
    expect(outcome.error?.code).toBe(grpc.status.FAILED_PRECONDITION);
    if (outcome.error === undefined) throw new Error('read succeeded');
    expect(trailer(outcome.error, 'exception')).toBe('stream-deleted');
    expect(trailer(outcome.error, 'stream-name')).toBe(stream);
  });

  it('BatchAppend errors: per-request google.rpc.Status with typed details and the stream echoed', async () => {
    const session = rawBatchAppend(raw);
    try {
      const existing = await prepareStream(client, 'existing');
      const wevId = randomUUID();
      const request = batchRequest(existing, wevId, [batchMessage(JSON_EVENT)]);
      request.getOptions()?.setStreamPosition('7');
      session.send(request);
      const wev = await session.response(wevId);
      expect(Buffer.from(wev.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString()).toBe(
        existing,
      );
      const wevError = wev.getError();
      expect(wevError?.getCode()).toBe(grpc.status.ALREADY_EXISTS);
      expect(wevError?.getDetails()?.getTypeName()).toBe('event_store.client.WrongExpectedVersion');
      const details = wevError
        ?.getDetails()
        ?.unpack(
          sharedPb.WrongExpectedVersion.deserializeBinary,
          'event_store.client.WrongExpectedVersion',
        );
      expect(details?.getCurrentStreamRevision()).toBe('2');
      expect(details?.getExpectedStreamPosition()).toBe('7');

      const tombstoned = await prepareStream(client, 'tombstoned');
      const deletedId = randomUUID();
      session.send(batchRequest(tombstoned, deletedId, [batchMessage(JSON_EVENT)]));
      const deleted = await session.response(deletedId);
      expect(
        Buffer.from(deleted.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString(),
      ).toBe(tombstoned);
      expect(deleted.getError()?.getCode()).toBe(grpc.status.NOT_FOUND);
      expect(deleted.getError()?.getDetails()?.getTypeName()).toBe(
        'event_store.client.StreamDeleted',
      );

      const okId = randomUUID();
      session.send(batchRequest(uniqueStream(), okId, [batchMessage(JSON_EVENT)]));
      const ok = await session.response(okId);
      expect(ok.hasSuccess()).toBe(true);
      expect(ok.getSuccess()?.getCurrentRevision()).toBe('0');
    } finally {
      session.close();
    }
  });

  describe('with throwOnAppendFailure=false', () => {
    const lenient = createClient('throwOnAppendFailure=false');
    afterAll(() => lenient.dispose());

    for (const { name, options, current } of [
      {
        name: 'Append reports the current revision, or -1 for a missing stream',
        options: { credentials: APPEND_CREDENTIALS },
        current: 2n,
      },
      {
        name: 'BatchAppend reports 1 when a current revision exists (client quirk), or -1 for a missing stream',
        options: {},
        current: 1n,
      },
    ]) {
      it(name, async () => {
        const event = () => jsonEvent({ type: 'X', data: {} });
        const stream = await prepareStream(client, 'existing');
        const failed = await lenient.appendToStream(stream, event(), {
          ...options,
          streamState: NO_STREAM,
        });
        expect(failed).toEqual({
          success: false,
          nextExpectedRevision: current,
          position: undefined,
        });
        const missing = await lenient.appendToStream(uniqueStream(), event(), {
          ...options,
          streamState: STREAM_EXISTS,
        });
        expect(missing).toEqual({ success: false, nextExpectedRevision: -1n, position: undefined });
      });
    }
  });
});
