/**
 * `defineAggregate`: an XState v5 machine becomes an event-sourced aggregate.
 *
 * The machine's events are of two kinds, told apart by their transitions (see
 * `machine-analysis.ts`): **commands** decide by `emit`ting domain events and change nothing
 * else; **domain events** evolve the aggregate by assigning context and targeting states. The
 * runtime decides with XState's pure `transition()`, persists what was emitted, and only then
 * applies it; replaying the stored domain events rebuilds the same state.
 *
 * @module
 */
import type { AnyStateMachine, EmittedFrom, EventFromLogic, SnapshotFrom } from 'xstate';
import { initialTransition } from 'xstate';
import { ConfigurationError } from '../../core/errors.js';
import type { StandardSchemaV1 } from '../../core/standard-schema.js';
import { describeValue } from '../../core/well-formed.js';
import { analyseMachine } from './machine-analysis.js';

/** The domain events of a machine: what its commands `emit` (`setup({ types: { emitted } })`). */
export type DomainEventOf<M extends AnyStateMachine> = EmittedFrom<M>;

/** The commands of a machine: its events that are not domain events. */
export type CommandOf<M extends AnyStateMachine> = string extends DomainEventOf<M>['type']
  ? EventFromLogic<M>
  : Exclude<EventFromLogic<M>, { type: DomainEventOf<M>['type'] }>;

/** Turns the stored data of one schema version into the next version's data. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** What `defineAggregate` takes. */
export interface AggregateOptions<M extends AnyStateMachine> {
  /** The aggregate's name: the prefix of its event types (`Dog.Registered`) and stream names. */
  readonly name: string;
  /** A plain XState v5 machine, no I/O. */
  readonly machine: M;
  /**
   * The domain event types, when they can't be told from the transitions (e.g. a command that
   * emits from a custom action). Default: inferred from the machine.
   */
  readonly events?: readonly DomainEventOf<M>['type'][];
  /**
   * Standard Schema validators (zod, valibot, arktype, …) of command and domain event payloads,
   * by type. A command failing its schema is rejected; a domain event failing its schema when a
   * command emits it is a programming error, and when it is read, a decoding error.
   */
  readonly schemas?: {
    readonly [T in EventFromLogic<M>['type']]?: StandardSchemaV1;
  };
  /**
   * Schema evolution: per domain event type, the upcasters from version 1 to 2, 2 to 3, …; the
   * current schema version of a type is its number of upcasters + 1. Stored events carry their
   * schema version in metadata and are upcast on reading.
   */
  readonly upcasters?: { readonly [T in DomainEventOf<M>['type']]?: readonly Upcaster[] };
  /** Take a snapshot every `interval` events (when the application has snapshotting enabled). */
  readonly snapshotting?: { readonly interval: number };
  /** The stream of an aggregate id. @defaultValue `` id => `${name}-${id}` `` */
  readonly streamName?: (id: string) => string;
}

/** An aggregate type: pass it to `repository.get` / `repository.create`. */
export interface AggregateDefinition<M extends AnyStateMachine = AnyStateMachine> {
  readonly name: string;
  readonly machine: M;
  readonly commandTypes: ReadonlySet<string>;
  readonly eventTypes: ReadonlySet<string>;
  readonly schemas: Readonly<Record<string, StandardSchemaV1 | undefined>>;
  readonly upcasters: Readonly<Record<string, readonly Upcaster[] | undefined>>;
  /** Events between snapshots, `undefined` for none. */
  readonly snapshotInterval: number | undefined;
  streamName(id: string): string;
  /** The stored event type of a domain event type: `<name>.<type>`. */
  topicOf(eventType: string): string;
  /** The current schema version of a domain event type (1 + its upcasters). */
  schemaVersionOf(eventType: string): number;
  /** The machine's initial snapshot (pure: no actions run). */
  initialSnapshot(): SnapshotFrom<M>;
}

/**
 * Defines an aggregate over an XState v5 machine.
 *
 * @throws ProgrammingError when a command transition also targets a state or assigns context
 *   (naming the state and the transition), or a type is both a command and a domain event.
 * @throws ConfigurationError for an empty or dotted name, one starting with `$`, or a bad
 *   snapshotting interval.
 *
 * @example
 * ```ts
 * export const Dog = defineAggregate({ name: 'Dog', machine: dogMachine });
 * ```
 */
export function defineAggregate<M extends AnyStateMachine>(
  options: AggregateOptions<M>,
): AggregateDefinition<M> {
  const { name, machine } = options;
  if (typeof name !== 'string' || !/^[A-Za-z_][\w$-]*$/.test(name)) {
    throw new ConfigurationError(
      `Aggregate name ${typeof name === 'string' ? `'${name}'` : describeValue(name)} must be a non-empty identifier without dots that does not start with '$' (it prefixes event types as '<name>.<Event>' and stream names; '$' streams are KurrentDB system streams, never notifications)`,
    );
  }
  const interval = options.snapshotting?.interval;
  if (interval !== undefined && (!Number.isSafeInteger(interval) || interval < 1)) {
    throw new ConfigurationError(
      `Aggregate '${name}': snapshotting interval must be a positive integer, got ${interval}`,
    );
  }
  const analysis = analyseMachine(name, machine, options.events);
  const upcasters = (options.upcasters ?? {}) as Record<string, readonly Upcaster[] | undefined>;
  const streamName = options.streamName ?? ((id: string) => `${name}-${id}`);
  const topics = new Map<string, string>();
  let initial: SnapshotFrom<M> | undefined;
  return {
    name,
    machine,
    commandTypes: analysis.commandTypes,
    eventTypes: analysis.eventTypes,
    schemas: (options.schemas ?? {}) as Record<string, StandardSchemaV1 | undefined>,
    upcasters,
    snapshotInterval: interval,
    streamName,
    topicOf(eventType) {
      let topic = topics.get(eventType);
      if (topic === undefined) {
        topic = `${name}.${eventType}`;
        topics.set(eventType, topic);
      }
      return topic;
    },
    schemaVersionOf: (eventType) => (upcasters[eventType]?.length ?? 0) + 1,
    initialSnapshot(): SnapshotFrom<M> {
      if (initial === undefined) {
        initial = initialTransition(machine as AnyStateMachine)[0] as SnapshotFrom<M>;
      }
      return initial as SnapshotFrom<M>;
    },
  };
}
