import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/testing/test-server/log/log-record.js';
import { TOMBSTONE_REVISION } from '../../src/testing/test-server/log/log-record.js';
import { decodeBatchAppendRequest } from '../../src/testing/test-server/wire/append-requests.js';
import { ProtoDecodeError } from '../../src/testing/test-server/wire/proto-reader.js';
import {
  encodeCaughtUp,
  encodeEventResponse,
} from '../../src/testing/test-server/wire/read-responses.js';

function record(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    position: 2 ** 40 + 17,
    endPosition: 2 ** 40 + 200,
    streamId: 'strëam-1',
    revision: 5,
    eventId: '01234567-89ab-cdef-fedc-ba9876543210',
    eventType: 'Typé',
    contentType: 'application/json',
    createdTicks: 17_000_000_000_000_000n,
    createdMs: 1_700_000_000_000,
    data: new Uint8Array([1, 2, 3]),
    customMetadata: new Uint8Array([9]),
    ...overrides,
  };
}

describe('hand-written ReadResp encoding', () => {
  it('decodes with the official generated classes', () => {
    const bytes = encodeEventResponse(record(), undefined, 2 ** 40 + 17);
    const response = streamsPb.ReadResp.deserializeBinary(bytes);
    const event = response.getEvent()?.getEvent();
    expect(response.getContentCase()).toBe(streamsPb.ReadResp.ContentCase.EVENT);
    expect(response.getEvent()?.getCommitPosition()).toBe(String(2 ** 40 + 17));
    expect(event?.getId()?.getString()).toBe('01234567-89ab-cdef-fedc-ba9876543210');
    expect(Buffer.from(event?.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString()).toBe(
      'strëam-1',
    );
    expect(event?.getStreamRevision()).toBe('5');
    expect(event?.getPreparePosition()).toBe(String(2 ** 40 + 17));
    expect(event?.getMetadataMap().get('type')).toBe('Typé');
    expect(event?.getMetadataMap().get('created')).toBe('17000000000000000');
    expect(event?.getMetadataMap().get('content-type')).toBe('application/json');
    expect([...(event?.getData_asU8() ?? [])]).toEqual([1, 2, 3]);
    expect([...(event?.getCustomMetadata_asU8() ?? [])]).toEqual([9]);
  });

  it('writes a tombstone revision as 2^63-1 and structured ids when asked', () => {
    const bytes = encodeEventResponse(
      record({ revision: TOMBSTONE_REVISION }),
      undefined,
      1,
      'structured',
    );
    const event = streamsPb.ReadResp.deserializeBinary(bytes).getEvent()?.getEvent();
    expect(event?.getStreamRevision()).toBe('9223372036854775807');
    expect(event?.getId()?.getStructured()?.getMostSignificantBits()).toBe('81985529216486895');
    expect(event?.getId()?.getStructured()?.getLeastSignificantBits()).toBe('-81985529216486896');
  });

  it('encodes caught_up in its 25.1 form', () => {
    const none = streamsPb.ReadResp.deserializeBinary(encodeCaughtUp(1_500, { kind: 'none' }));
    expect(none.getCaughtUp()?.getTimestamp()?.getSeconds()).toBe(1);
    expect(none.getCaughtUp()?.getTimestamp()?.getNanos()).toBe(500_000_000);
    expect(none.getCaughtUp()?.hasStreamRevision()).toBe(false);
    expect(none.getCaughtUp()?.hasPosition()).toBe(false);
    const revision = streamsPb.ReadResp.deserializeBinary(
      encodeCaughtUp(0, { kind: 'revision', revision: 0 }),
    );
    expect(revision.getCaughtUp()?.hasStreamRevision()).toBe(true);
    expect(revision.getCaughtUp()?.getStreamRevision()).toBe('0');
    const position = streamsPb.ReadResp.deserializeBinary(
      encodeCaughtUp(0, { kind: 'position', commit: 10, prepare: 0 }),
    );
    expect(position.getCaughtUp()?.getPosition()?.getCommitPosition()).toBe('10');
    expect(position.getCaughtUp()?.getPosition()?.getPreparePosition()).toBe('0');
  });
});

describe('hand-written BatchAppendReq decoding', () => {
  it('reads what the generated classes write', () => {
    const request = new streamsPb.BatchAppendReq();
    const correlation = new sharedPb.UUID();
    correlation.setString('c0ffee00-0000-4000-8000-000000000001');
    request.setCorrelationId(correlation);
    const options = new streamsPb.BatchAppendReq.Options();
    const identifier = new sharedPb.StreamIdentifier();
    identifier.setStreamName(Buffer.from('orders-1'));
    options.setStreamIdentifier(identifier);
    options.setStreamPosition('18446744073709551615');
    request.setOptions(options);
    const message = new streamsPb.BatchAppendReq.ProposedMessage();
    const id = new sharedPb.UUID();
    id.setString('11111111-2222-3333-4444-555555555555');
    message.setId(id);
    message.getMetadataMap().set('type', 'Placed');
    message.getMetadataMap().set('content-type', 'application/octet-stream');
    message.setData(new Uint8Array([5, 6]));
    request.addProposedMessages(message);
    request.setIsFinal(true);

    const decoded = decodeBatchAppendRequest(request.serializeBinary());
    expect(decoded.correlationId).toEqual({
      kind: 'string',
      value: 'c0ffee00-0000-4000-8000-000000000001',
    });
    expect(Buffer.from(decoded.options?.streamName ?? []).toString()).toBe('orders-1');
    expect(decoded.options?.expected).toEqual({ caseNumber: 2, revision: 18446744073709551615n });
    expect(decoded.isFinal).toBe(true);
    expect(decoded.proposedMessages).toHaveLength(1);
    expect(decoded.proposedMessages[0]?.metadata.get('type')).toBe('Placed');
    expect([...(decoded.proposedMessages[0]?.data ?? [])]).toEqual([5, 6]);
  });

  it('rejects truncated input', () => {
    expect(() => decodeBatchAppendRequest(new Uint8Array([0x12, 0x05, 0x01]))).toThrow(
      ProtoDecodeError,
    );
  });
});
