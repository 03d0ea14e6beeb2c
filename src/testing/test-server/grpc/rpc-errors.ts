/**
 * gRPC errors (status, message and trailers) exactly as a KurrentDB 25.1 node builds them
 * (`RpcExceptions.cs`). The clients decode them from the `exception` trailer first.
 *
 * @module
 */
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';

/** An error a handler passes to grpc-js: code, message and trailers. */
export type RpcError = Partial<ServiceError> & {
  code: status;
  details: string;
  metadata: Metadata;
};

function rpcError(code: status, details: string, trailers: Record<string, string> = {}): RpcError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

/**
 * `RpcExceptions.LeaderInfo`: what a follower sends for a request that requires the leader
 * (NOT_FOUND, "Leader info available", `exception: not-leader` and the leader's HTTP endpoint).
 */
export function notLeaderError(leaderHost: string, leaderPort: number): RpcError {
  return rpcError(status.NOT_FOUND, 'Leader info available', {
    exception: 'not-leader',
    'leader-endpoint-host': leaderHost,
    'leader-endpoint-port': String(leaderPort),
  });
}

/** `RpcExceptions.ServerNotReady`: a node that knows no leader (UNAVAILABLE). */
export function serverNotReadyError(): RpcError {
  return rpcError(status.UNAVAILABLE, 'Server Is Not Ready');
}

/** `Event stream '<name>' is deleted.` with `exception: stream-deleted`. */
export function streamDeletedError(stream: string): RpcError {
  return rpcError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': stream,
  });
}

/** `<operation> failed due to WrongExpectedVersion.` with the version trailers. */
export function wrongExpectedVersionError(
  operation: string,
  stream: string,
  expectedVersion: string,
  actualVersion: string,
): RpcError {
  return rpcError(
    status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersion}, Actual version: ${actualVersion}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': stream,
      'expected-version': expectedVersion,
      'actual-version': actualVersion,
    },
  );
}

/** A required event metadata key (`type` or `content-type`) is missing. */
export function requiredMetadataPropertyMissingError(property: string): RpcError {
  return rpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });
}

/** One event is larger than the maximum append event size. */
export function maxAppendEventSizeExceededError(
  eventId: string,
  proposedSize: number,
  maxSize: number,
): RpcError {
  return rpcError(
    status.INVALID_ARGUMENT,
    `Event with Id: ${eventId}, Size: ${proposedSize}, exceeds Maximum Append Event Size of ${maxSize}.`,
    {
      exception: 'maximum-append-event-size-exceeded',
      'maximum-append-event-size': String(maxSize),
      'event-id': eventId,
      'proposed-append-event-size': String(proposedSize),
    },
  );
}

/** The whole request is larger than the maximum append size. */
export function maxAppendSizeExceededError(maxSize: number): RpcError {
  return rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${maxSize} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(maxSize),
  });
}

/** `'<name>' is a required argument of type <type>`. */
export function requiredArgumentError(name: string, type: string): RpcError {
  return rpcError(status.INVALID_ARGUMENT, `'${name}' is a required argument of type ${type}`);
}

/** `'<value>' is not a valid <type>`. */
export function invalidArgumentError(value: string, type: string): RpcError {
  return rpcError(status.INVALID_ARGUMENT, `'${value}' is not a valid ${type}`);
}

/** `The combination of (<parts>) is invalid.` */
export function invalidCombinationError(parts: readonly string[]): RpcError {
  return rpcError(status.INVALID_ARGUMENT, `The combination of (${parts.join(', ')}) is invalid.`);
}

/** Reading $all from a position that is not a record's. */
export function invalidPositionError(): RpcError {
  return rpcError(status.INVALID_ARGUMENT, 'Trying to read from an invalid position.');
}

/**
 * What nodes 22.10–23.10 sent to a subscription whose consumer fell behind while live
 * (`RpcExceptions.Timeout`: ABORTED, "Operation timed out: <message>").
 */
export function consumerTooSlowError(): RpcError {
  return rpcError(
    status.ABORTED,
    'Operation timed out: Consumer too slow to handle event while live. Client resubscription required.',
  );
}

/** Any other status with a message and no trailers. */
export function plainError(code: status, message: string): RpcError {
  return rpcError(code, message);
}

/**
 * What grpc-dotnet sends when a handler throws an exception that is not an `RpcException`
 * (detailed errors are off on a node).
 */
export function unhandledExceptionError(): RpcError {
  return rpcError(status.UNKNOWN, 'Exception was thrown by handler.');
}
