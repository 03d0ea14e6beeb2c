/**
 * The library's one error hierarchy. Every error carries a string `code` and, where it wraps a
 * driver or runtime failure, the original error as the ES2022 `cause`.
 *
 * @module
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

/** String codes of every error the library raises. */
export type ErrorCode =
  | 'CONFIGURATION'
  | 'PERSISTENCE'
  | 'INTEGRITY'
  | 'PROGRAMMING'
  | 'OPERATIONAL'
  | 'AGGREGATE_NOT_FOUND'
  | 'COMMAND_REJECTED'
  | 'PROJECTION'
  | 'TIMEOUT'
  | 'WAIT_INTERRUPTED'
  | 'DECODING';

/** Base class of every error raised by eventsourcing-kurrentdb. */
export class EventSourcingError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /** True for an error of this library with `code`, even across two installed copies. */
  static hasCode(error: unknown, code: ErrorCode): boolean {
    return (
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      (error as { code: unknown }).code === code &&
      error instanceof Error
    );
  }
}

/** Settings are missing or malformed (environment keys, URIs, module names). */
export class ConfigurationError extends EventSourcingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIGURATION', message, options);
  }
}

/** The store failed: connection, TLS, server errors. The driver's error is the `cause`. */
export class PersistenceError extends EventSourcingError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'PERSISTENCE', message, options);
  }
}

/** A write conflicts with what is stored: a version already taken, a gap, a duplicate tracking id. */
export class IntegrityError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'INTEGRITY' });
  }
}

/** The API was called in a way that can never succeed (e.g. events of two streams in one call). */
export class ProgrammingError extends EventSourcingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROGRAMMING', message, options);
  }
}

/** A transient operational failure that may succeed when retried. */
export class OperationalError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'OPERATIONAL' });
  }
}

/** `repository.get` found no events for the aggregate (at the requested version). */
export class AggregateNotFoundError extends EventSourcingError {
  readonly aggregateName: string;
  readonly aggregateId: string;

  constructor(aggregateName: string, aggregateId: string, message: string) {
    super('AGGREGATE_NOT_FOUND', message);
    this.aggregateName = aggregateName;
    this.aggregateId = aggregateId;
  }
}

/**
 * The aggregate's machine can't take the command in its current state: no enabled transition,
 * a guard said no, an unknown command type, or a payload that fails its schema. Nothing was
 * written and the aggregate's state is unchanged.
 */
export class CommandRejectedError extends EventSourcingError {
  readonly aggregateName: string;
  readonly aggregateId: string;
  /** The aggregate's state value (as XState reports it) when the command was rejected. */
  readonly state: unknown;
  readonly command: string;
  /** Schema issues, when the payload failed validation. */
  readonly issues: readonly StandardSchemaV1.Issue[];

  constructor(options: {
    aggregateName: string;
    aggregateId: string;
    state: unknown;
    command: string;
    reason: string;
    issues?: readonly StandardSchemaV1.Issue[];
  }) {
    super(
      'COMMAND_REJECTED',
      `${options.aggregateName} '${options.aggregateId}' in state ${JSON.stringify(options.state)} rejected command '${options.command}': ${options.reason}`,
    );
    this.aggregateName = options.aggregateName;
    this.aggregateId = options.aggregateId;
    this.state = options.state;
    this.command = options.command;
    this.issues = options.issues ?? [];
  }
}

/** A projection's handler failed; names the event's position, type and stream. */
export class ProjectionError extends EventSourcingError {
  /** The notification id (`$all` position) of the event, when one was being processed. */
  readonly position: bigint | undefined;
  /** Its stored type, `<Aggregate>.<Event>`. */
  readonly eventType: string | undefined;
  readonly streamName: string | undefined;

  constructor(
    message: string,
    options?: {
      cause?: unknown;
      position?: bigint;
      eventType?: string;
      streamName?: string;
    },
  ) {
    super('PROJECTION', message, options);
    this.position = options?.position;
    this.eventType = options?.eventType;
    this.streamName = options?.streamName;
  }
}

/** A wait ran out of time (e.g. `wait(app, id, { timeout })` on a tracking recorder). */
export class TimeoutError extends EventSourcingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

/** A wait was interrupted by its `AbortSignal` (or the thing waited on stopped). */
export class WaitInterruptedError extends PersistenceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'WAIT_INTERRUPTED' });
  }
}

/**
 * A stored event (or snapshot) could not be decoded or upcast: bad JSON, an unknown type, a schema
 * version newer than the code knows, a failing upcaster or event schema. Names the stream, the
 * revision and the type; the original error is the `cause`.
 */
export class DecodingError extends EventSourcingError {
  readonly streamName: string;
  readonly revision: number;
  readonly eventType: string;
  /** What is wrong, without the where (the message's tail). */
  readonly reason: string;

  constructor(
    where: { streamName: string; revision: number; eventType: string },
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'DECODING',
      `Can't decode event '${where.eventType}' at revision ${where.revision} of stream '${where.streamName}': ${reason}`,
      options,
    );
    this.streamName = where.streamName;
    this.revision = where.revision;
    this.eventType = where.eventType;
    this.reason = reason;
  }
}

/** Type guards that check the `code`, so they work across two installed copies of the library. */
export const isIntegrityError = (e: unknown): e is IntegrityError =>
  EventSourcingError.hasCode(e, 'INTEGRITY');
export const isPersistenceError = (e: unknown): e is PersistenceError =>
  EventSourcingError.hasCode(e, 'PERSISTENCE') ||
  EventSourcingError.hasCode(e, 'INTEGRITY') ||
  EventSourcingError.hasCode(e, 'OPERATIONAL') ||
  EventSourcingError.hasCode(e, 'WAIT_INTERRUPTED');
export const isConfigurationError = (e: unknown): e is ConfigurationError =>
  EventSourcingError.hasCode(e, 'CONFIGURATION');
export const isProgrammingError = (e: unknown): e is ProgrammingError =>
  EventSourcingError.hasCode(e, 'PROGRAMMING');
