/**
 * Raw grpc-js calls to the test server with hand-built requests, for what the official client
 * never sends (malformed requests, unusual option combinations) and for manual flow control.
 *
 * @module
 */
import {
  Client,
  type ClientReadableStream,
  credentials,
  type Metadata,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';

export { sharedPb, streamsPb };

const STREAMS = '/event_store.client.streams.Streams';
const identity = (bytes: Buffer): Buffer => bytes;

/** The final status of a call. */
export interface CallStatus {
  readonly code: number;
  readonly details: string;
  readonly trailers: Record<string, string>;
}

function trailersOf(metadata: Metadata | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata?.getMap() ?? {})) out[key] = String(value);
  return out;
}

function callStatus(status: StatusObject): CallStatus {
  return { code: status.code, details: status.details, trailers: trailersOf(status.metadata) };
}

/** The outcome of a call with a single response (unary or client streaming). */
export interface SingleResponseOutcome {
  readonly status: CallStatus;
  readonly response: Buffer | undefined;
}

/** A grpc-js callback for a single-response call that resolves with its outcome. */
function settleWith(
  resolve: (outcome: SingleResponseOutcome) => void,
): (error: ServiceError | null, response?: Buffer) => void {
  return (error, response) => {
    const status = error === null ? { code: 0, details: 'OK', trailers: {} } : callStatus(error);
    resolve({ status, response });
  };
}

/** A raw client on `address` (`host:port`, plaintext). Close it when done. */
export function rawClient(address: string): Client {
  return new Client(address, credentials.createInsecure());
}

/** A unary call with raw bytes. */
export function unary(
  client: Client,
  method: string,
  request: Uint8Array,
): Promise<SingleResponseOutcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `${STREAMS}/${method}`,
      identity,
      identity,
      Buffer.from(request),
      settleWith(resolve),
    );
  });
}

/** A server-streaming Read that collects every response until the call ends. */
export function readAllResponses(
  client: Client,
  request: Uint8Array,
): Promise<{ status: CallStatus; responses: InstanceType<typeof streamsPb.ReadResp>[] }> {
  return new Promise((resolve) => {
    const responses: InstanceType<typeof streamsPb.ReadResp>[] = [];
    const call = openRead(client, request);
    call.on('data', (bytes: Buffer) => {
      responses.push(streamsPb.ReadResp.deserializeBinary(new Uint8Array(bytes)));
    });
    call.on('error', () => undefined);
    call.on('status', (status) => resolve({ status: callStatus(status), responses }));
  });
}

/** Opens a Read call and gives the raw stream (for pause/resume and cancellation). */
export function openRead(client: Client, request: Uint8Array): ClientReadableStream<Buffer> {
  return client.makeServerStreamRequest(
    `${STREAMS}/Read`,
    identity,
    identity,
    Buffer.from(request),
  );
}

/** A client-streaming Append with raw request messages. */
export function appendRaw(
  client: Client,
  requests: readonly Uint8Array[],
): Promise<SingleResponseOutcome> {
  return new Promise((resolve) => {
    const call = client.makeClientStreamRequest(
      `${STREAMS}/Append`,
      identity,
      identity,
      settleWith(resolve),
    );
    for (const request of requests) call.write(Buffer.from(request));
    call.end();
  });
}

/** A BatchAppend call: write raw requests, collect decoded responses and the final status. */
export function openBatchAppend(client: Client) {
  const responses: InstanceType<typeof streamsPb.BatchAppendResp>[] = [];
  const call = client.makeBidiStreamRequest(`${STREAMS}/BatchAppend`, identity, identity);
  const status = new Promise<CallStatus>((resolve) => {
    call.on('status', (s) => resolve(callStatus(s)));
  });
  call.on('data', (bytes: Buffer) => {
    responses.push(streamsPb.BatchAppendResp.deserializeBinary(new Uint8Array(bytes)));
  });
  call.on('error', () => undefined);
  return {
    responses,
    status,
    write: (request: Uint8Array) => call.write(Buffer.from(request)),
    end: () => call.end(),
    cancel: () => call.cancel(),
  };
}

/** Resolves once `predicate` holds, polling every 10 ms, or rejects after `ms`. */
export async function eventually(predicate: () => boolean, ms = 5_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached in time');
}
