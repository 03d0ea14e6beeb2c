/**
 * Aggregate snapshots: XState's persisted snapshot of the machine plus the version it was taken
 * at (and the aggregate's recent command ids), kept in the snapshot recorder.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { AnyMachineSnapshot } from 'xstate';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import type { StoredEvent } from '../../core/stored-event.js';
import { defaultTranscoder, type Transcoder } from '../../core/transcoder.js';
import { CommandIdIndex } from './command-ids.js';
import type { AggregateDefinition } from './define-aggregate.js';

/** A snapshot as loaded. */
export interface LoadedSnapshot {
  readonly version: number;
  readonly snapshot: AnyMachineSnapshot;
  readonly commandIds: CommandIdIndex;
}

/** Receives a warning (e.g. a snapshot that no longer fits its machine). */
export type Warn = (message: string, detail?: unknown) => void;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads and writes aggregate snapshots through an {@link AggregateRecorder}. */
export class SnapshotStore {
  readonly #recorder: AggregateRecorder;
  readonly #warn: Warn;
  readonly #transcoder: Transcoder;

  constructor(recorder: AggregateRecorder, warn: Warn, transcoder: Transcoder = defaultTranscoder) {
    this.#recorder = recorder;
    this.#warn = warn;
    this.#transcoder = transcoder;
  }

  /**
   * Stores a snapshot of `streamName` at `version` (an older one than stored is not written). The
   * context goes through the transcoder, so a `Map`, `Set`, `Date`, … is restored as itself.
   *
   * @throws ProgrammingError when the context holds a value the transcoder can't represent.
   */
  async save(
    definition: AggregateDefinition,
    streamName: string,
    version: number,
    snapshot: AnyMachineSnapshot,
    commandIds: CommandIdIndex | undefined,
  ): Promise<void> {
    const persisted = definition.machine.getPersistedSnapshot(snapshot);
    const record: StoredEvent = {
      originatorId: streamName,
      originatorVersion: version,
      topic: `${definition.name}.Snapshot`,
      state: encoder.encode(
        this.#transcoder.encode(
          { snapshot: persisted, commandIds: commandIds?.toJSON() ?? [] },
          `the snapshot of '${streamName}'`,
        ),
      ),
      metadata: { machine: definition.machine.id },
      eventId: randomUUID(),
    };
    await this.#recorder.insertEvents([record]);
  }

  /**
   * The latest snapshot of `streamName`, or `undefined` when there is none or it doesn't fit the
   * machine any more (a state it names is gone, or it can't be parsed): then a warning is given
   * and the caller replays the whole stream.
   */
  async latest(
    definition: AggregateDefinition,
    streamName: string,
  ): Promise<LoadedSnapshot | undefined> {
    const [record] = await this.#recorder.selectEvents(streamName, { desc: true, limit: 1 });
    if (record === undefined) return undefined;
    try {
      const parsed = this.#transcoder.decode(decoder.decode(record.state)) as {
        snapshot: { value: unknown; context: unknown; historyValue?: unknown; status?: unknown };
        commandIds?: unknown;
      };
      const snapshot = definition.machine.resolveState({
        value: parsed.snapshot.value,
        context: parsed.snapshot.context,
        ...(parsed.snapshot.historyValue === undefined
          ? {}
          : { historyValue: parsed.snapshot.historyValue }),
      } as never) as AnyMachineSnapshot;
      return {
        version: record.originatorVersion,
        snapshot,
        commandIds: CommandIdIndex.fromJSON(parsed.commandIds),
      };
    } catch (error) {
      this.#warn(
        `Ignoring the snapshot of '${streamName}' at version ${record.originatorVersion}: it doesn't match machine '${definition.machine.id}' (${(error as Error).message}); replaying the stream instead`,
        error,
      );
      return undefined;
    }
  }
}
