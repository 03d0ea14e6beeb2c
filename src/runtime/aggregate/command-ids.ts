/**
 * Idempotent commands: event ids derived from the command id (UUID v5), and the per-aggregate
 * memory of which command produced which versions.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EventMetadata } from '../../core/stored-event.js';
import type { Transcoder } from '../../core/transcoder.js';

/** Metadata keys written with every event of a command that has ids. */
export const COMMAND_ID = 'commandId';
export const CORRELATION_ID = 'correlationId';
export const CAUSATION_ID = 'causationId';

/** How many command ids an aggregate remembers (the most recent ones). */
export const COMMAND_ID_WINDOW = 1000;

/** Namespace of the library's v5 UUIDs (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1b2c6e4a8d4e0f9a3b7c5d2e1f0a9b', 'hex');

/** The event ids of one decision: derived from the command id, else random. */
export function eventIdsFor(
  streamName: string,
  commandId: string | undefined,
  count: number,
): string[] {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    ids.push(
      commandId === undefined
        ? randomUUID()
        : uuidV5(`${streamName}\u0000${commandId}\u0000${index}`),
    );
  }
  return ids;
}

/** RFC 4122 version 5 (SHA-1, name-based) UUID of `name` in the library's namespace. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Where the events of one command are: versions `from` … `from + count - 1`. */
export interface CommandSpan {
  readonly from: number;
  readonly count: number;
}

/**
 * The command ids an aggregate has seen (from its events' metadata), most recent last, bounded
 * to {@link COMMAND_ID_WINDOW}.
 */
export class CommandIdIndex {
  readonly #spans = new Map<string, CommandSpan>();

  get size(): number {
    return this.#spans.size;
  }

  get(commandId: string): CommandSpan | undefined {
    return this.#spans.get(commandId);
  }

  /** Records that `version` belongs to the command named in `metadata`, if any. */
  noteEvent(metadata: EventMetadata, version: number): void {
    const commandId = metadata[COMMAND_ID];
    if (typeof commandId !== 'string') return;
    const span = this.#spans.get(commandId);
    if (span !== undefined && span.from + span.count === version) {
      this.#spans.set(commandId, { from: span.from, count: span.count + 1 });
      return;
    }
    this.#spans.set(commandId, { from: version, count: 1 });
    if (this.#spans.size > COMMAND_ID_WINDOW) {
      const oldest = this.#spans.keys().next().value as string;
      this.#spans.delete(oldest);
    }
  }

  /** An independent copy (a loaded snapshot's index is not changed by the events after it). */
  copy(): CommandIdIndex {
    const copy = new CommandIdIndex();
    for (const [id, span] of this.#spans) copy.#spans.set(id, span);
    return copy;
  }

  /** The spans as JSON-compatible tuples (for snapshots). */
  toJSON(): [string, number, number][] {
    return [...this.#spans].map(([id, span]) => [id, span.from, span.count]);
  }

  static fromJSON(value: unknown): CommandIdIndex {
    const index = new CommandIdIndex();
    if (Array.isArray(value)) {
      for (const entry of value) {
        if (Array.isArray(entry) && typeof entry[0] === 'string') {
          index.#spans.set(entry[0], { from: Number(entry[1]), count: Number(entry[2]) });
        }
      }
    }
    return index;
  }
}

/** The metadata of a command without ids or user metadata (shared: never changed). */
const NO_METADATA: EventMetadata = Object.freeze({});

/**
 * The metadata of a command's events: the user's `metadata` through the transcoder (so a `Date`
 * or bigint is stored in its tagged JSON form), then the command's ids.
 *
 * @throws ProgrammingError for a metadata value the transcoder can't represent.
 */
export function commandMetadata(
  options: ExecuteMetadataOptions,
  transcoder: Transcoder,
): EventMetadata {
  if (
    options.commandId === undefined &&
    options.correlationId === undefined &&
    options.causationId === undefined &&
    options.metadata === undefined
  ) {
    return NO_METADATA;
  }
  const metadata: Record<string, unknown> =
    options.metadata === undefined
      ? {}
      : // A copy: the transcoder may hand back the caller's own object when nothing changes.
        { ...(transcoder.toJSONValue(options.metadata, 'the metadata') as object) };
  if (options.commandId !== undefined) metadata[COMMAND_ID] = options.commandId;
  const correlationId = options.correlationId ?? options.commandId;
  if (correlationId !== undefined) metadata[CORRELATION_ID] = correlationId;
  const causationId = options.causationId ?? options.commandId;
  if (causationId !== undefined) metadata[CAUSATION_ID] = causationId;
  return metadata;
}

/** Options of `execute` that end up in the events' metadata. */
export interface ExecuteMetadataOptions {
  /**
   * Makes the command idempotent: its event ids derive from it, and executing the same command
   * id again on the same aggregate returns the original recordings and appends nothing.
   */
  readonly commandId?: string;
  /** The id of the conversation the command belongs to. @defaultValue the command id */
  readonly correlationId?: string;
  /** The id of what caused the command (e.g. an upstream event). @defaultValue the command id */
  readonly causationId?: string;
  /** More JSON-compatible metadata stored with each event (e.g. `{ userId }`). */
  readonly metadata?: EventMetadata;
}
