/**
 * Raw gRPC access to the KurrentDB under test, built from the client package's own generated
 * code, for requests the official client never sends (malformed input, exact message order).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type {
  StreamIdentifier,
  UUID,
} from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import type { StreamsClient } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import streamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import type {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import { grpcAddress } from './client.js';

/** The generated classes and the types tests name; build other messages from `streamsPb`. */
export type { ReadResp, StreamsClient };
export { grpc, sharedPb, streamsPb };

/** A raw `Streams` client on a channel of its own. Close it with `client.close()`. */
export function rawStreamsClient(): StreamsClient {
  return new streamsGrpc.StreamsClient(grpcAddress(), grpc.credentials.createInsecure());
}

/** `StreamIdentifier` for a UTF-8 stream name. */
export function streamIdentifier(name: string): StreamIdentifier {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
  return identifier;
}

/** `UUID` in string form. */
export function uuid(value: string = randomUUID()): UUID {
  const id = new sharedPb.UUID();
  id.setString(value);
  return id;
}

/** What a proposed message carries; omit `type`/`contentType` to leave the metadata key out. */
export interface ProposedEvent {
  readonly id?: string;
  readonly type?: string;
  readonly contentType?: string;
  readonly data?: Uint8Array;
}

/** Options of an Append, Delete or Tombstone: they name the stream and take expected `any`. */
interface ExpectingOptions {
  setStreamIdentifier(value?: StreamIdentifier): unknown;
  setAny(value?: InstanceType<typeof sharedPb.Empty>): unknown;
}

/** Sets `stream` and the expected state `any` on `options`; returns them. */
export function expectingAny<T extends ExpectingOptions>(options: T, stream: string): T {
  options.setStreamIdentifier(streamIdentifier(stream));
  options.setAny(new sharedPb.Empty());
  return options;
}

/** `AppendReq` carrying the options (expected state `any`). */
export function appendOptions(stream: string): AppendReq {
  return new streamsPb.AppendReq().setOptions(
    expectingAny(new streamsPb.AppendReq.Options(), stream),
  );
}

/** Fills `message`, of Append or BatchAppend, with `event`. */
function proposed<T extends AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage>(
  message: T,
  event: ProposedEvent,
): T {
  message.setId(uuid(event.id));
  if (event.type !== undefined) message.getMetadataMap().set('type', event.type);
  if (event.contentType !== undefined)
    message.getMetadataMap().set('content-type', event.contentType);
  message.setData(event.data ?? Uint8Array.from(Buffer.from('{}')));
  return message;
}

/** `AppendReq` carrying one proposed message. */
export function appendMessage(event: ProposedEvent): AppendReq {
  const message = proposed(new streamsPb.AppendReq.ProposedMessage(), event);
  return new streamsPb.AppendReq().setProposedMessage(message);
}

/** `BatchAppendReq.ProposedMessage` for one event. */
export function batchMessage(event: ProposedEvent): BatchAppendReq.ProposedMessage {
  return proposed(new streamsPb.BatchAppendReq.ProposedMessage(), event);
}

/** Outcome of a unary or client-streaming call. */
export interface CallOutcome<T> {
  readonly response?: T;
  readonly error?: grpc.ServiceError;
}

/** Sends `requests` on a `Streams.Append` call, half-closes and waits for its outcome. */
export function rawAppend(
  client: StreamsClient,
  requests: readonly AppendReq[],
  timeoutMs = 5_000,
): Promise<CallOutcome<AppendResp>> {
  return new Promise((resolve) => {
    const call = client.append({ deadline: Date.now() + timeoutMs }, (error, response) => {
      resolve(error === null ? { response } : { error });
    });
    for (const request of requests) call.write(request);
    call.end();
  });
}

/** Everything a server-streaming `Read` produced. */
export interface ReadOutcome {
  readonly messages: ReadResp[];
  /** The call's final error, unless the test cancelled it. */
  readonly error?: grpc.ServiceError;
  /** True when the test cancelled the call because `until` held. */
  readonly cancelled: boolean;
}

/**
 * Runs a raw `Streams.Read`, collecting responses until the server ends the call or
 * `until(messages)` holds (then the call is cancelled). Rejects if neither happens in time.
 */
export function rawRead(
  client: StreamsClient,
  request: ReadReq,
  options: {
    readonly until?: (messages: readonly ReadResp[]) => boolean;
    readonly timeoutMs?: number;
  } = {},
): Promise<ReadOutcome> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const messages: ReadResp[] = [];
    let cancelled = false;
    let settled = false;
    const call = client.read(request);
    const finish = (outcome: ReadOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settled = true;
      call.cancel();
      reject(
        new Error(`raw Read did not end within ${timeoutMs} ms (${messages.length} messages)`),
      );
    }, timeoutMs);
    call.on('data', (message: ReadResp) => {
      messages.push(message);
      if (!cancelled && options.until?.(messages) === true) {
        cancelled = true;
        call.cancel();
        finish({ messages, cancelled });
      }
    });
    call.on('error', (error: grpc.ServiceError) => {
      if (cancelled) return;
      finish({ messages, error, cancelled });
    });
    call.on('end', () => finish({ messages, cancelled }));
  });
}

/** A raw `Streams.BatchAppend` session collecting responses by correlation id. */
export interface RawBatchSession {
  send(request: BatchAppendReq): void;
  /** Waits for the response to `correlationId`. */
  response(correlationId: string, timeoutMs?: number): Promise<BatchAppendResp>;
  /** The call's error, if it failed. */
  readonly error: grpc.ServiceError | undefined;
  close(): void;
}

/** Opens a `Streams.BatchAppend` bidi call. */
export function rawBatchAppend(client: StreamsClient): RawBatchSession {
  const call = client.batchAppend();
  const responses = new Map<string, BatchAppendResp>();
  const waiters = new Set<() => void>();
  let failure: grpc.ServiceError | undefined;
  call.on('data', (response: BatchAppendResp) => {
    responses.set(response.getCorrelationId()?.getString() ?? '', response);
    for (const waiter of [...waiters]) waiter();
  });
  call.on('error', (error: grpc.ServiceError) => {
    failure = error;
    for (const waiter of [...waiters]) waiter();
  });
  return {
    send: (request) => {
      call.write(request);
    },
    response: (correlationId, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = responses.get(correlationId);
          if (found !== undefined) {
            cleanup();
            resolve(found);
          } else if (failure !== undefined) {
            cleanup();
            reject(failure);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no BatchAppend response for ${correlationId} within ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    get error() {
      return failure;
    },
    close: () => {
      call.cancel();
    },
  };
}

/** `BatchAppendReq.Options` for `stream` with expected state `any`. */
export function batchOptions(stream: string): BatchAppendReq.Options {
  const options = new streamsPb.BatchAppendReq.Options();
  options.setStreamIdentifier(streamIdentifier(stream));
  options.setAny(new emptyPb.Empty());
  return options;
}

/** A `BatchAppendReq` with options (expected `any`) for `stream`, final unless told otherwise. */
export function batchRequest(
  stream: string,
  correlationId: string,
  messages: readonly BatchAppendReq.ProposedMessage[],
  isFinal = true,
): BatchAppendReq {
  const request = new streamsPb.BatchAppendReq();
  request.setCorrelationId(uuid(correlationId));
  request.setOptions(batchOptions(stream));
  request.setProposedMessagesList([...messages]);
  request.setIsFinal(isFinal);
  return request;
}

/** The metadata value of `key` in a grpc error's trailers, as a string. */
export function trailer(error: grpc.ServiceError, key: string): string | undefined {
  const value = error.metadata.get(key)[0];
  return value === undefined ? undefined : value.toString();
}

/** `ReadReq` options preset: string UUIDs, no filter. */
export function readOptions(): ReadReq.Options {
  const options = new streamsPb.ReadReq.Options();
  const uuidOption = new streamsPb.ReadReq.Options.UUIDOption();
  uuidOption.setString(new sharedPb.Empty());
  options.setUuidOption(uuidOption);
  options.setNoFilter(new sharedPb.Empty());
  options.setReadDirection(streamsPb.ReadReq.Options.ReadDirection.FORWARDS);
  return options;
}

/** {@link readOptions} reading `stream` from its start. */
export function streamReadOptions(stream: string): ReadReq.Options {
  const options = readOptions();
  const streamOptions = new streamsPb.ReadReq.Options.StreamOptions();
  streamOptions.setStreamIdentifier(streamIdentifier(stream));
  streamOptions.setStart(new sharedPb.Empty());
  options.setStream(streamOptions);
  return options;
}

/** A `ReadReq` of at most `count` events of `stream`, from its start. */
export function streamReadRequest(stream: string, count: number): ReadReq {
  const options = streamReadOptions(stream);
  options.setCount(String(count));
  return new streamsPb.ReadReq().setOptions(options);
}
