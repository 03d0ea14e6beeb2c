import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { jsonEvent, KurrentDBClient, START } from '@kurrent/kurrentdb-client';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';
import { describe, expect, it } from 'vitest';
import { useOwnServer } from './support/own-server.js';
import {
  appendRaw,
  type CallStatus,
  eventually,
  openBatchAppend,
  readAllResponses,
  sharedPb,
  streamsPb,
  unary,
} from './support/raw-grpc.js';
import {
  batchAppendRequest,
  proposed,
  readRequest,
  streamFrom,
  streamIdentifier,
  uuid,
} from './support/requests.js';

const own = useOwnServer();

/** The official client still appends and reads: the server survived. */
async function expectHealthy(): Promise<void> {
  const official = KurrentDBClient.connectionString(own.server.uri);
  try {
    const stream = `healthy-${randomUUID()}`;
    await official.appendToStream(stream, [jsonEvent({ type: 'Alive', data: {} })]);
    let count = 0;
    for await (const _ of official.readStream(stream, { fromRevision: START })) count++;
    expect(count).toBe(1);
  } finally {
    await official.dispose();
  }
}

describe('malformed Read requests', () => {
  it('answers a request without options as an unhandled exception (UNKNOWN)', async () => {
    const { status: s } = await readAllResponses(
      own.raw,
      new streamsPb.ReadReq().serializeBinary(),
    );
    expect(s.code).toBe(status.UNKNOWN);
    expect(s.details).toBe('Exception was thrown by handler.');
  });

  it('requires uuid_option', async () => {
    const options = new streamsPb.ReadReq.Options();
    options.setStream(streamFrom('x'));
    options.setCount('1');
    const request = new streamsPb.ReadReq();
    request.setOptions(options);
    const { status: s } = await readAllResponses(own.raw, request.serializeBinary());
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe(
      "'uuidOption' is a required argument of type EventStore.Client.Streams.ReadReq+Types+Options+Types+UUIDOption",
    );
  });

  it('rejects a request with neither stream nor $all', async () => {
    const { status: s } = await readAllResponses(
      own.raw,
      readRequest((options) => options.setCount('1')),
    );
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe(
      "'None' is not a valid EventStore.Client.Streams.ReadReq+Types+Options+StreamOptionOneofCase",
    );
  });

  it('rejects a backwards subscription as an invalid combination', async () => {
    const request = readRequest((options) => {
      options.setStream(streamFrom(`s-${randomUUID()}`));
      options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions());
      options.setReadDirection(streamsPb.ReadReq.Options.ReadDirection.BACKWARDS);
    });
    const { status: s, responses } = await readAllResponses(own.raw, request);
    expect(responses).toHaveLength(0);
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe(
      'The combination of (Stream, Subscription, Backwards, NoFilter) is invalid.',
    );
  });

  it('rejects a filter on a stream read as an invalid combination', async () => {
    const request = readRequest((options) => {
      options.setStream(streamFrom(`s-${randomUUID()}`));
      options.setCount('10');
      const filter = new streamsPb.ReadReq.Options.FilterOptions();
      const expression = new streamsPb.ReadReq.Options.FilterOptions.Expression();
      expression.setPrefixList(['a']);
      filter.setEventType(expression);
      filter.setCount(new sharedPb.Empty());
      options.setFilter(filter);
    });
    const { status: s } = await readAllResponses(own.raw, request);
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe('The combination of (Stream, Count, Forwards, Filter) is invalid.');
  });

  it('fails a forwards stream read of count 0 like the index reader does', async () => {
    const request = readRequest((options) => {
      options.setStream(streamFrom(`s-${randomUUID()}`));
      options.setCount('0');
    });
    const { status: s } = await readAllResponses(own.raw, request);
    expect(s.code).toBe(status.UNKNOWN);
    expect(s.details).toBe(
      "Unexpected ReadStreamResult: Error >> maxCount should be positive. (Parameter 'maxCount')",
    );
  });

  it('gives INTERNAL for bytes that are not a protobuf message', async () => {
    const { status: s } = await readAllResponses(own.raw, Buffer.from([0x0a, 0xff, 0xff, 0xff]));
    expect(s.code).toBe(status.INTERNAL);
  });
});

/** A raw Append of `message` to `stream` whose options `setExpected` completes; its status. */
async function appendOne(
  stream: string,
  setExpected: (options: InstanceType<typeof streamsPb.AppendReq.Options>) => void,
  message: InstanceType<typeof streamsPb.AppendReq.ProposedMessage>,
): Promise<CallStatus> {
  const options = new streamsPb.AppendReq.Options();
  options.setStreamIdentifier(streamIdentifier(stream));
  setExpected(options);
  const first = new streamsPb.AppendReq();
  first.setOptions(options);
  const event = new streamsPb.AppendReq();
  event.setProposedMessage(message);
  const { status: s } = await appendRaw(own.raw, [
    first.serializeBinary(),
    event.serializeBinary(),
  ]);
  return s;
}

/** The responses of a raw read of up to 10 events of `stream`. */
async function readStreamResponses(stream: string) {
  const request = readRequest((options) => {
    options.setStream(streamFrom(stream));
    options.setCount('10');
  });
  return (await readAllResponses(own.raw, request)).responses;
}

describe('malformed Append requests', () => {
  it('fails when the first message is not the options (UNKNOWN)', async () => {
    const request = new streamsPb.AppendReq();
    request.setProposedMessage(proposed(new streamsPb.AppendReq.ProposedMessage()));
    const { status: s } = await appendRaw(own.raw, [request.serializeBinary()]);
    expect(s.code).toBe(status.UNKNOWN);
    expect(s.details).toBe('Exception was thrown by handler.');
  });

  it('rejects options without an expected revision', async () => {
    const options = new streamsPb.AppendReq.Options();
    options.setStreamIdentifier(streamIdentifier(`a-${randomUUID()}`));
    const request = new streamsPb.AppendReq();
    request.setOptions(options);
    const { status: s } = await appendRaw(own.raw, [request.serializeBinary()]);
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe(
      "'None' is not a valid EventStore.Client.Streams.AppendReq+Types+Options+ExpectedStreamRevisionOneofCase",
    );
  });

  it('fails an event id that is not a GUID, and writes nothing', async () => {
    const stream = `a-${randomUUID()}`;
    const s = await appendOne(
      stream,
      (options) => options.setAny(new sharedPb.Empty()),
      proposed(new streamsPb.AppendReq.ProposedMessage(), 'T', 'nope'),
    );
    expect(s.code).toBe(status.UNKNOWN);
    const responses = await readStreamResponses(stream);
    expect(responses.map((r) => r.getContentCase())).toEqual([
      streamsPb.ReadResp.ContentCase.STREAM_NOT_FOUND,
    ]);
  });

  it('accepts structured event ids and reads them back as GUID strings', async () => {
    const stream = `a-${randomUUID()}`;
    const message = proposed(new streamsPb.AppendReq.ProposedMessage());
    const id = new sharedPb.UUID();
    const structured = new sharedPb.UUID.Structured();
    structured.setMostSignificantBits('81985529216486895'); // 0x0123456789abcdef
    structured.setLeastSignificantBits('-81985529216486896'); // 0xfedcba9876543210
    id.setStructured(structured);
    message.setId(id);
    const s = await appendOne(
      stream,
      (options) => options.setNoStream(new sharedPb.Empty()),
      message,
    );
    expect(s.code).toBe(status.OK);
    const responses = await readStreamResponses(stream);
    expect(responses[0]?.getEvent()?.getEvent()?.getId()?.getString()).toBe(
      '01234567-89ab-cdef-fedc-ba9876543210',
    );
  });
});

describe('malformed BatchAppend requests', () => {
  it('answers a bad request in-band and keeps serving the same call', async () => {
    const call = openBatchAppend(own.raw);
    const bad = batchAppendRequest(`b-${randomUUID()}`, 1);
    bad.getProposedMessagesList()[0]?.getId()?.setString('not-a-guid');
    call.write(bad.serializeBinary());
    const good = batchAppendRequest(`b-${randomUUID()}`, 2);
    call.write(good.serializeBinary());
    await eventually(() => call.responses.length === 2);
    const [first, second] = call.responses;
    expect(first?.getError()?.getCode()).toBe(status.INVALID_ARGUMENT);
    expect(first?.getError()?.getMessage()).toBe('BadRequest');
    expect(first?.getError()?.getDetails()?.getTypeUrl()).toBe(
      'type.googleapis.com/event_store.client.BadRequest',
    );
    expect(second?.getSuccess()?.getCurrentRevision()).toBe('1');
    expect(Buffer.from(second?.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString()).toBe(
      Buffer.from(good.getOptions()?.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString(),
    );
    call.end();
    expect((await call.status).code).toBe(status.OK);
  });

  it('ignores a chunk for an unknown correlation id', async () => {
    const call = openBatchAppend(own.raw);
    const orphan = new streamsPb.BatchAppendReq();
    orphan.setCorrelationId(uuid());
    orphan.addProposedMessages(proposed(new streamsPb.BatchAppendReq.ProposedMessage()));
    orphan.setIsFinal(true);
    call.write(orphan.serializeBinary());
    call.write(batchAppendRequest(`b-${randomUUID()}`, 1).serializeBinary());
    await eventually(() => call.responses.length === 1);
    expect(call.responses[0]?.getSuccess()?.getCurrentRevision()).toBe('0');
    call.end();
    await call.status;
  });

  it('times out a request whose deadline has passed', async () => {
    const call = openBatchAppend(own.raw);
    const request = batchAppendRequest(`b-${randomUUID()}`, 1);
    const deadline = new timestampPb.Timestamp();
    deadline.fromDate(new Date(Date.now() - 1_000));
    request.getOptions()?.setDeadline21100(deadline);
    call.write(request.serializeBinary());
    await eventually(() => call.responses.length === 1);
    expect(call.responses[0]?.getError()?.getCode()).toBe(status.DEADLINE_EXCEEDED);
    expect(call.responses[0]?.getError()?.getDetails()?.getTypeUrl()).toBe(
      'type.googleapis.com/event_store.client.Timeout',
    );
    call.end();
    await call.status;
  });

  it('fails the call when a request without options cannot be handled', async () => {
    const call = openBatchAppend(own.raw);
    const request = new streamsPb.BatchAppendReq();
    const id = new sharedPb.UUID();
    id.setString('not-a-guid');
    request.setCorrelationId(id);
    request.setIsFinal(true);
    call.write(request.serializeBinary());
    const s = await call.status;
    expect(s.code).toBe(status.UNKNOWN);
  });
});

describe('malformed Delete requests', () => {
  it('rejects options without an expected revision', async () => {
    const options = new streamsPb.DeleteReq.Options();
    options.setStreamIdentifier(streamIdentifier(`d-${randomUUID()}`));
    const request = new streamsPb.DeleteReq();
    request.setOptions(options);
    const { status: s } = await unary(own.raw, 'Delete', request.serializeBinary());
    expect(s.code).toBe(status.INVALID_ARGUMENT);
    expect(s.details).toBe(
      "'None' is not a valid EventStore.Client.Streams.DeleteReq+Types+Options+ExpectedStreamRevisionOneofCase",
    );
  });

  it('answers a request without options as UNKNOWN', async () => {
    const { status: s } = await unary(own.raw, 'Tombstone', new Uint8Array(0));
    expect(s.code).toBe(status.UNKNOWN);
  });
});

it('is still healthy after every malformed request', async () => {
  await expectHealthy();
});
