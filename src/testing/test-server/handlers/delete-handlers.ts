/**
 * `Streams.Delete` (soft delete) and `Streams.Tombstone` (hard delete), unary, as in
 * `Streams.Delete.cs`: errors are statuses with trailers, the operation name in the
 * wrong-expected-version message is `Delete` for both.
 *
 * @module
 */
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { requiresLeaderOf } from '../grpc/node-role.js';
import { expectedRevisionOf, expectedVersionText, streamNameOf } from '../grpc/request-fields.js';
import {
  invalidArgumentError,
  streamDeletedError,
  unhandledExceptionError,
  wrongExpectedVersionError,
} from '../grpc/rpc-errors.js';
import type { ServerState } from '../grpc/server-state.js';
import type { DeleteRequest, TombstoneRequest } from '../wire/generated.js';
import { encodeDeleteResponse } from '../wire/write-responses.js';
import { softDeleteStream, tombstoneStream } from '../write/stream-deleter.js';

type DeleteLike = DeleteRequest | TombstoneRequest;

function deleteHandler(state: ServerState, hard: boolean) {
  return (call: ServerUnaryCall<DeleteLike, Buffer>, callback: sendUnaryData<Buffer>): void => {
    try {
      handle(state, hard, call, callback);
    } catch {
      callback(unhandledExceptionError());
    }
  };
}

function handle(
  state: ServerState,
  hard: boolean,
  call: ServerUnaryCall<DeleteLike, Buffer>,
  callback: sendUnaryData<Buffer>,
): void {
  const options = call.request.getOptions();
  if (options === undefined) {
    callback(unhandledExceptionError());
    return;
  }
  const expected = expectedRevisionOf({
    caseNumber: options.getExpectedStreamRevisionCase(),
    revision: BigInt(options.getRevision()),
  });
  const kind = hard ? 'TombstoneReq' : 'DeleteReq';
  if (expected === undefined) {
    callback(
      invalidArgumentError(
        'None',
        `EventStore.Client.Streams.${kind}+Types+Options+ExpectedStreamRevisionOneofCase`,
      ),
    );
    return;
  }
  const stream = streamNameOf(options.getStreamIdentifier());
  if (stream === undefined) {
    callback(unhandledExceptionError());
    return;
  }
  const refusal = state.role.refusal('write', requiresLeaderOf(call.metadata));
  if (refusal !== undefined) {
    callback(refusal.error);
    return;
  }
  const outcome = (hard ? tombstoneStream : softDeleteStream)(state.log, stream, expected);
  switch (outcome.kind) {
    case 'success':
      callback(null, encodeDeleteResponse(outcome.position));
      return;
    case 'stream_deleted':
      callback(streamDeletedError(stream));
      return;
    case 'wrong_expected_version':
      callback(
        wrongExpectedVersionError(
          'Delete',
          stream,
          expectedVersionText(expected),
          String(outcome.currentRevision),
        ),
      );
      return;
  }
}

/** Creates the Delete handler. */
export function softDeleteHandler(state: ServerState) {
  return deleteHandler(state, false);
}

/** Creates the Tombstone handler. */
export function tombstoneHandler(state: ServerState) {
  return deleteHandler(state, true);
}
