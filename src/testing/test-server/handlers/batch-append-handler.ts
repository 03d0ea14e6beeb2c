/**
 * `Streams.BatchAppend` (bidi): one long-lived call multiplexed by correlation id, as the
 * node's `BatchAppendWorker` runs it. Chunks are accumulated per correlation id; the final chunk
 * triggers the write and exactly one response. Every failure is a `google.rpc.Status` inside the
 * response (code, message, one `Any` detail), never a call status, except for requests the node
 * itself cannot handle.
 *
 * @module
 */
import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import { requiresLeaderOf } from '../grpc/node-role.js';
import {
  eventSizeOnDisk,
  expectedRevisionOf,
  MAX_APPEND_EVENT_SIZE,
  MAX_APPEND_SIZE,
  newEventOf,
  streamNameOf,
  uuidOf,
} from '../grpc/request-fields.js';
import { unhandledExceptionError } from '../grpc/rpc-errors.js';
import type { ServerState } from '../grpc/server-state.js';
import type { NewEvent } from '../log/event-log.js';
import type { DecodedBatchAppendRequest, DecodedBatchOptions } from '../wire/append-requests.js';
import {
  type BatchAppendResult,
  badRequestDetail,
  emptyDetail,
  encodeBatchAppendResponse,
  maximumAppendEventSizeExceededDetail,
  maximumAppendSizeExceededDetail,
  type StatusDetail,
  streamDeletedDetail,
  wrongExpectedVersionDetail,
} from '../wire/write-responses.js';
import type { ExpectedRevision } from '../write/commit-check.js';
import { appendToStream } from '../write/stream-writer.js';

/** A node's default `WriteTimeoutMs`: pending (non-final) requests time out after it. */
const WRITE_TIMEOUT_MS = 2_000;

interface PendingWrite {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: NewEvent[];
  size: number;
  readonly timer: NodeJS.Timeout;
}

type BatchCall = ServerDuplexStream<DecodedBatchAppendRequest, Buffer>;

function error(code: number, message: string, detail: StatusDetail): BatchAppendResult {
  return { kind: 'error', code, message, detail };
}

function timeoutResult(): BatchAppendResult {
  return error(status.DEADLINE_EXCEEDED, 'Timeout', emptyDetail('event_store.client.Timeout'));
}

/** A node without a leader: a status with no code, the message and an `Empty` detail. */
function notReadyResult(): BatchAppendResult {
  return error(status.OK, 'Server Is Not Ready', emptyDetail('google.protobuf.Empty'));
}

function badRequest(message: string): BatchAppendResult {
  return error(status.INVALID_ARGUMENT, 'BadRequest', badRequestDetail(message));
}

/** What .NET puts in `RpcException.Message`. */
function rpcExceptionMessage(statusName: string, detail: string): string {
  return `Status(StatusCode="${statusName}", Detail="${detail}")`;
}

/** Milliseconds the client allows, from `deadline` (Duration) or `deadline_21_10_0` (Timestamp). */
function requestedTimeoutMs(options: DecodedBatchOptions, nowMs: number): number {
  switch (options.deadline.kind) {
    case 'duration':
      return options.deadline.ms;
    case 'timestamp':
      return options.deadline.ms - nowMs;
    case 'none':
      return Number.POSITIVE_INFINITY;
  }
}

/** Creates the BatchAppend handler. */
export function batchAppendHandler(state: ServerState) {
  return (call: BatchCall): void => {
    const requiresLeader = requiresLeaderOf(call.metadata);
    const pending = new Map<string, PendingWrite>();
    let closed = false;
    const respond = (
      correlationId: string,
      stream: string | undefined,
      result: BatchAppendResult,
    ): void => {
      if (closed) return;
      call.write(encodeBatchAppendResponse(correlationId, stream, undefined, result));
    };
    /** Ends the pending write of `correlationId` with its one response. */
    const finish = (
      correlationId: string,
      write: PendingWrite,
      result: BatchAppendResult,
    ): void => {
      pending.delete(correlationId);
      clearTimeout(write.timer);
      respond(correlationId, write.stream, result);
    };
    const shutdown = (): void => {
      closed = true;
      for (const write of pending.values()) clearTimeout(write.timer);
      pending.clear();
    };
    call.on('cancelled', shutdown);
    call.on('error', shutdown);
    call.on('close', shutdown);
    call.on('end', () => {
      if (closed) return;
      shutdown();
      call.end();
    });
    call.on('data', (request: DecodedBatchAppendRequest) => {
      if (closed) return;
      const options = request.options;
      let correlationId = '';
      try {
        correlationId = uuidOf(request.correlationId);
        if (options !== undefined) {
          const stream = streamNameOf(options.streamName);
          const timeout = Math.min(requestedTimeoutMs(options, state.now()), WRITE_TIMEOUT_MS);
          if (options.streamName === undefined) {
            respond(
              correlationId,
              undefined,
              badRequest('Required field StreamIdentifier not set.'),
            );
            return;
          }
          if (!(timeout > 0)) {
            respond(correlationId, stream, timeoutResult());
            return;
          }
          if (!pending.has(correlationId)) {
            const expected = expectedRevisionOf(options.expected);
            if (expected === undefined) {
              respond(
                correlationId,
                stream,
                badRequest(
                  rpcExceptionMessage(
                    'InvalidArgument',
                    "'None' is not a valid EventStore.Client.Streams.BatchAppendReq+Types+Options+ExpectedStreamPositionOneofCase",
                  ),
                ),
              );
              return;
            }
            const id = correlationId;
            const timer = setTimeout(() => {
              const write = pending.get(id);
              if (write !== undefined) finish(id, write, timeoutResult());
            }, timeout);
            timer.unref();
            pending.set(correlationId, {
              stream: stream ?? '',
              expected,
              events: [],
              size: 0,
              timer,
            });
          }
        }
        const write = pending.get(correlationId);
        if (write === undefined) return;
        for (const message of request.proposedMessages) {
          const event = newEventOf(message);
          if ('code' in event) {
            respond(
              correlationId,
              streamNameOf(options?.streamName),
              badRequest(rpcExceptionMessage('InvalidArgument', event.details)),
            );
            return;
          }
          const size = eventSizeOnDisk(event);
          if (size > MAX_APPEND_EVENT_SIZE) {
            finish(
              correlationId,
              write,
              error(
                status.INVALID_ARGUMENT,
                'MaximumAppendEventSizeExceeded',
                maximumAppendEventSizeExceededDetail(event.eventId, size, MAX_APPEND_EVENT_SIZE),
              ),
            );
            return;
          }
          write.size += size;
          write.events.push(event);
        }
        if (write.size > MAX_APPEND_SIZE) {
          finish(
            correlationId,
            write,
            error(
              status.INVALID_ARGUMENT,
              'MaximumAppendSizeExceeded',
              maximumAppendSizeExceededDetail(MAX_APPEND_SIZE),
            ),
          );
        }
        if (!request.isFinal || !pending.has(correlationId)) return;
        const refusal = state.role.refusal('write', requiresLeader);
        if (refusal?.reason === 'not-leader') {
          // The node throws `RpcExceptions.LeaderInfo` while converting the reply: the whole
          // call ends with that status, not one response.
          shutdown();
          call.emit('error', refusal.error);
          return;
        }
        if (refusal !== undefined) {
          finish(correlationId, write, notReadyResult());
          return;
        }
        const head = state.log.headPosition;
        const result = complete(state, write);
        if (result.kind === 'success') {
          const wrote = state.log.headPosition !== head;
          if (!state.role.appendCommitted(wrote)) {
            pending.delete(correlationId);
            clearTimeout(write.timer);
            return;
          }
        }
        finish(correlationId, write, result);
      } catch (caught) {
        // Like the node: any failure of one request becomes a BadRequest for it, unless the
        // request has no options to take the stream identifier from (then the call fails).
        if (options === undefined) {
          closed = true;
          call.emit('error', unhandledExceptionError());
          return;
        }
        const message = caught instanceof Error ? caught.message : String(caught);
        respond(correlationId, streamNameOf(options.streamName), badRequest(message));
      }
    });
  };
}

function complete(state: ServerState, write: PendingWrite): BatchAppendResult {
  const outcome = appendToStream(state.log, write.stream, write.expected, write.events);
  switch (outcome.kind) {
    case 'success':
      return {
        kind: 'success',
        currentRevision: outcome.currentRevision,
        position: outcome.position,
      };
    case 'wrong_expected_version':
      return error(
        status.ALREADY_EXISTS,
        'WrongExpectedVersion',
        wrongExpectedVersionDetail(outcome.currentRevision, write.expected),
      );
    case 'stream_deleted':
      return error(status.NOT_FOUND, 'StreamDeleted', streamDeletedDetail(write.stream));
  }
}
