/**
 * `Streams.Append` (client streaming): options first, then one proposed message per event. The
 * reply carries success or wrong-expected-version; other failures are a status with trailers,
 * as in `Streams.Append.cs`.
 *
 * @module
 */
import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import { requiresLeaderOf } from '../grpc/node-role.js';
import {
  eventSizeOnDisk,
  eventWithoutIdOf,
  expectedRevisionOf,
  MAX_APPEND_EVENT_SIZE,
  MAX_APPEND_SIZE,
  streamNameOf,
  uuidMessageText,
  uuidOf,
} from '../grpc/request-fields.js';
import {
  invalidArgumentError,
  maxAppendEventSizeExceededError,
  maxAppendSizeExceededError,
  type RpcError,
  streamDeletedError,
  unhandledExceptionError,
} from '../grpc/rpc-errors.js';
import type { ServerState } from '../grpc/server-state.js';
import type { NewEvent } from '../log/event-log.js';
import type { DecodedAppendRequest } from '../wire/append-requests.js';
import { encodeAppendSuccess, encodeAppendWrongExpectedVersion } from '../wire/write-responses.js';
import type { ExpectedRevision } from '../write/commit-check.js';
import { appendToStream } from '../write/stream-writer.js';

/** How long a half-closed Append waits for a following cancellation before it writes. */
const CANCELLATION_GRACE_MS = 10;

interface PendingAppend {
  stream: string;
  expected: ExpectedRevision;
  events: NewEvent[];
  size: number;
}

/** Creates the Append handler. */
export function appendHandler(state: ServerState) {
  return (
    call: ServerReadableStream<DecodedAppendRequest, Buffer>,
    callback: sendUnaryData<Buffer>,
  ): void => {
    let pending: PendingAppend | undefined;
    let sawOptions = false;
    let done = false;
    const fail = (error: RpcError): void => {
      if (done) return;
      done = true;
      call.removeAllListeners('data');
      call.resume();
      callback(error);
    };
    call.on('data', (request: DecodedAppendRequest) => {
      if (done) return;
      try {
        if (!sawOptions) {
          sawOptions = true;
          if (request.kind !== 'options') {
            fail(unhandledExceptionError());
            return;
          }
          const options = request.options;
          const expected = expectedRevisionOf(options.expected);
          if (expected === undefined) {
            fail(
              invalidArgumentError(
                'None',
                'EventStore.Client.Streams.AppendReq+Types+Options+ExpectedStreamRevisionOneofCase',
              ),
            );
            return;
          }
          const stream = streamNameOf(options.streamName);
          if (stream === undefined) {
            fail(unhandledExceptionError());
            return;
          }
          pending = { stream, expected, events: [], size: 0 };
          return;
        }
        if (pending === undefined || request.kind !== 'proposed') {
          fail(unhandledExceptionError());
          return;
        }
        // The node's order: required metadata, size limits, then the event id.
        const event = eventWithoutIdOf(request.message);
        if ('code' in event) {
          fail(event);
          return;
        }
        const size = eventSizeOnDisk(event);
        if (size > MAX_APPEND_EVENT_SIZE) {
          const id = uuidMessageText(request.message.id);
          fail(maxAppendEventSizeExceededError(id, size, MAX_APPEND_EVENT_SIZE));
          return;
        }
        pending.size += size;
        if (pending.size > MAX_APPEND_SIZE) {
          fail(maxAppendSizeExceededError(MAX_APPEND_SIZE));
          return;
        }
        pending.events.push({ ...event, eventId: uuidOf(request.message.id) });
      } catch {
        // Malformed ids and the like are unhandled exceptions on a node.
        fail(unhandledExceptionError());
      }
    });
    // A client that cancels an Append (grpc-js `cancel()`, an expired deadline) ends the request
    // stream before its RST_STREAM arrives. A node checks the call's cancellation before it
    // writes, so give the cancellation a moment to arrive: a cancelled append writes nothing.
    // The two frames leave the client in separate writes and reach this server in separate
    // event-loop turns (locally 0.2 ms apart at the median, up to 5 ms), so no same-tick check,
    // `setImmediate` or `setTimeout(0)` can see the cancellation: it takes a timed grace period.
    call.on('end', () => setTimeout(complete, CANCELLATION_GRACE_MS));
    call.on('cancelled', () => {
      done = true;
    });
    const complete = (): void => {
      if (done || call.cancelled) return;
      if (pending === undefined) {
        fail(unhandledExceptionError());
        return;
      }
      done = true;
      const refusal = state.role.refusal('write', requiresLeaderOf(call.metadata));
      if (refusal !== undefined) {
        callback(refusal.error);
        return;
      }
      const head = state.log.headPosition;
      let outcome: ReturnType<typeof appendToStream>;
      try {
        outcome = appendToStream(state.log, pending.stream, pending.expected, pending.events);
      } catch {
        callback(unhandledExceptionError());
        return;
      }
      switch (outcome.kind) {
        case 'success':
          if (!state.role.appendCommitted(state.log.headPosition !== head)) return;
          callback(null, encodeAppendSuccess(outcome.currentRevision, outcome.position));
          return;
        case 'wrong_expected_version':
          callback(
            null,
            encodeAppendWrongExpectedVersion(outcome.currentRevision, pending.expected),
          );
          return;
        case 'stream_deleted':
          callback(streamDeletedError(pending.stream));
          return;
      }
    };
    call.on('error', () => {
      done = true;
    });
  };
}
