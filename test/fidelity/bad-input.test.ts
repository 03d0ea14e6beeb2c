/**
 * Malformed requests the official client never sends, through raw gRPC (KurrentDB
 * `Streams.Append`, `Streams.BatchAppend`, `Streams.Read`, `MetadataHelpers`, `RpcExceptions`).
 * Each ends with a definite status (never a hang) and leaves the server healthy.
 *
 * Where the real server throws an unhandled exception (invalid UUID, missing options) ASP.NET
 * Core gRPC answers UNKNOWN ("Exception was thrown by handler."), which is what is asserted.
 */
import { randomUUID } from 'node:crypto';
import {
  convertToCommandError,
  jsonEvent,
  RequiredMetadataPropertyMissingError,
} from '@kurrent/kurrentdb-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, uniqueStream } from './support/client.js';
import { expectStreamNotFound, readStreamEvents } from './support/events.js';
import {
  appendMessage,
  appendOptions,
  batchMessage,
  batchRequest,
  grpc,
  type ProposedEvent,
  rawAppend,
  rawBatchAppend,
  rawRead,
  rawStreamsClient,
  readOptions,
  sharedPb,
  streamReadOptions,
  streamsPb,
  trailer,
} from './support/raw-grpc.js';

const VALID: ProposedEvent = { type: 'Valid', contentType: 'application/json' };

describe('bad input', () => {
  const client = createClient();
  const raw = rawStreamsClient();
  afterAll(async () => {
    // the server still serves normal requests after all of the below
    const stream = uniqueStream('healthy');
    await client.appendToStream(stream, jsonEvent({ type: 'Healthy', data: {} }));
    expect(await readStreamEvents(client, stream)).toHaveLength(1);
    raw.close();
    await client.dispose();
  });

  describe('Append', () => {
    it.each([
      { missing: 'type', event: { contentType: 'application/json' } },
      { missing: 'content-type', event: { type: 'NoContentType' } },
    ])(
      'rejects a proposed message without $missing: INVALID_ARGUMENT + missing-required-metadata-property',
      async ({ event }) => {
        const stream = uniqueStream();
        const outcome = await rawAppend(raw, [
          appendOptions(stream),
          appendMessage(VALID),
          appendMessage(event),
        ]);
        const error = outcome.error;
        if (error === undefined) throw new Error('append succeeded');
        expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(trailer(error, 'exception')).toBe('missing-required-metadata-property');
        expect(trailer(error, 'required-metadata-properties')).toBe('type,content-type');
        const converted = convertToCommandError(error);
        expect(converted).toBeInstanceOf(RequiredMetadataPropertyMissingError);
        expect(
          (converted as RequiredMetadataPropertyMissingError).requiredMetadataProperties,
        ).toEqual(['type', 'content-type']);
        await expectStreamNotFound(client, stream);
      },
    );

    it('rejects an event id that is not a UUID (UNKNOWN), writing nothing', async () => {
      const stream = uniqueStream();
      const outcome = await rawAppend(raw, [
        appendOptions(stream),
        appendMessage({ ...VALID, id: 'not-a-uuid' }),
      ]);
      expect(outcome.error?.code).toBe(grpc.status.UNKNOWN);
      await expectStreamNotFound(client, stream);
    });

    it('rejects a call whose first message is not the options (UNKNOWN)', async () => {
      const outcome = await rawAppend(raw, [appendMessage(VALID)]);
      expect(outcome.error?.code).toBe(grpc.status.UNKNOWN);
    });

    it('rejects a call without any message (UNKNOWN)', async () => {
      const outcome = await rawAppend(raw, []);
      expect(outcome.error?.code).toBe(grpc.status.UNKNOWN);
    });
  });

  describe('BatchAppend', () => {
    it('answers a bad request with a per-correlation INVALID_ARGUMENT BadRequest and keeps the call open', async () => {
      const session = rawBatchAppend(raw);
      try {
        for (const bad of [
          { contentType: 'application/json' },
          { type: 'NoContentType' },
          { ...VALID, id: 'not-a-uuid' },
        ] as ProposedEvent[]) {
          const stream = uniqueStream();
          const correlation = randomUUID();
          session.send(batchRequest(stream, correlation, [batchMessage(bad)]));
          const response = await session.response(correlation);
          expect(response.hasSuccess()).toBe(false);
          expect(response.getError()?.getCode()).toBe(grpc.status.INVALID_ARGUMENT);
          expect(response.getError()?.getDetails()?.getTypeName()).toBe(
            'event_store.client.BadRequest',
          );
          expect(
            Buffer.from(response.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString(),
          ).toBe(stream);
          await expectStreamNotFound(client, stream);
        }
        const stream = uniqueStream();
        const correlation = randomUUID();
        session.send(batchRequest(stream, correlation, [batchMessage(VALID)]));
        expect((await session.response(correlation)).hasSuccess()).toBe(true);
        expect(session.error).toBeUndefined();
      } finally {
        session.close();
      }
    });
  });

  describe('Read', () => {
    it('rejects a request without uuid_option (INVALID_ARGUMENT)', async () => {
      const options = streamReadOptions(uniqueStream());
      options.setCount('10');
      options.clearUuidOption();
      const outcome = await rawRead(raw, new streamsPb.ReadReq().setOptions(options));
      expect(outcome.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('rejects a stream subscription with a filter (INVALID_ARGUMENT)', async () => {
      const options = streamReadOptions(uniqueStream());
      options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
      const filter = new streamsPb.ReadReq.Options.FilterOptions();
      const expression = new streamsPb.ReadReq.Options.FilterOptions.Expression();
      expression.setPrefixList(['x']);
      filter.setEventType(expression);
      filter.setCount(new sharedPb.Empty());
      filter.setCheckpointintervalmultiplier(1);
      options.setFilter(filter);
      const outcome = await rawRead(raw, new streamsPb.ReadReq().setOptions(options));
      expect(outcome.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('rejects a backwards subscription (INVALID_ARGUMENT)', async () => {
      const options = readOptions();
      const all = new streamsPb.ReadReq.Options.AllOptions();
      all.setEnd(new sharedPb.Empty());
      options.setAll(all);
      options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
      options.setReadDirection(streamsPb.ReadReq.Options.ReadDirection.BACKWARDS);
      const outcome = await rawRead(raw, new streamsPb.ReadReq().setOptions(options));
      expect(outcome.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('rejects a request without options (UNKNOWN)', async () => {
      const outcome = await rawRead(raw, new streamsPb.ReadReq());
      expect(outcome.error?.code).toBe(grpc.status.UNKNOWN);
    });
  });
});
