/**
 * `defineProcess`: a process manager (a saga, a workflow) written as a plain XState machine.
 *
 * - It receives the upstream domain events named by `topics` as {@link UpstreamEvent}s (typed
 *   `<Aggregate>.<Event>`, the decoded domain event under `event`), routed by `correlate` to one
 *   instance (one machine snapshot) per correlation id; an event `correlate` maps to `undefined`
 *   is skipped (and tracked).
 * - It sends commands to aggregates from its actions with {@link sendCommand}; each command's
 *   reply (`aggregate.executed` / `aggregate.rejected`) comes back to it as an event, so a
 *   compensation is a transition.
 * - Its instances are created with `input: { correlationId }` on their first upstream event.
 *
 * The runner (`ProcessRunner`) keeps each instance's state and the tracking of the upstream
 * events in one store transaction, derives every command id from the instance and its cause,
 * and keeps delayed transitions (`after`) as durable timers.
 *
 * @module
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import { ConfigurationError, ProgrammingError } from '../../core/errors.js';
import { describeValue } from '../../core/well-formed.js';
import type { AggregateDefinition, DomainEventOf } from '../aggregate/define-aggregate.js';

/** An upstream domain event as a process machine receives it. */
export interface UpstreamEvent<Topic extends string = string, E extends EventObject = EventObject> {
  /** The stored type, `<Aggregate>.<Event>`. */
  readonly type: Topic;
  /** The decoded (and upcast) domain event. */
  readonly event: E;
  /** The aggregate that recorded it. */
  readonly aggregate: string;
  readonly aggregateId: string;
  /** Its version (revision) in the aggregate's stream. */
  readonly version: number;
  /** Its notification id (`$all` commit position). */
  readonly position: bigint;
}

/** The upstream events of one aggregate definition, typed by topic. */
export type UpstreamEventOf<D> =
  D extends AggregateDefinition<infer M>
    ? DomainEventOf<M> extends infer E
      ? E extends EventObject
        ? UpstreamEvent<`${D['name'] & string}.${E['type']}`, E>
        : never
      : never
    : never;

/** What a process instance's machine gets as `input`. */
export interface ProcessInput {
  readonly correlationId: string;
}

/** Options of {@link defineProcess}. */
export interface ProcessOptions<M extends AnyStateMachine> {
  /** The process's name: its tracking application, its store key and its actors' ids. */
  readonly name: string;
  /** The process machine (plain XState v5; `input` is `{ correlationId }`). */
  readonly machine: M;
  /**
   * The upstream topics (`<Aggregate>.<Event>`, e.g. `Transfer.topicOf('Requested')`), sent to
   * the store as a server-side event-type filter.
   */
  readonly topics: readonly string[];
  /** The correlation id of an upstream event; `undefined` skips it. */
  readonly correlate: (event: UpstreamEvent) => string | undefined;
  /** The aggregates it sends commands to (and whose events it may receive). */
  readonly aggregates: readonly AggregateDefinition[];
}

/** A process manager: run it with `ProcessRunner`. */
export interface ProcessDefinition<M extends AnyStateMachine = AnyStateMachine> {
  readonly kind: 'process';
  readonly name: string;
  readonly machine: M;
  readonly topics: readonly string[];
  readonly correlate: (event: UpstreamEvent) => string | undefined;
  readonly aggregates: readonly AggregateDefinition[];
  /** The aggregate definition named `name` among `aggregates`. */
  aggregateNamed(name: string): AggregateDefinition | undefined;
}

/**
 * Defines a process manager.
 *
 * @throws ConfigurationError for a name that is not an identifier, no topics, a topic that is not
 *   `<Aggregate>.<Event>`, a machine that is not an XState machine, a `correlate` that is not a
 *   function, or two aggregates with one name.
 *
 * @example
 * ```ts
 * const MoneyTransfer = defineProcess({
 *   name: 'MoneyTransfer',
 *   machine: moneyTransferMachine,
 *   topics: [Transfer.topicOf('Requested')],
 *   correlate: (event) => event.aggregateId,
 *   aggregates: [BankAccount, Transfer],
 * });
 * ```
 */
export function defineProcess<M extends AnyStateMachine>(
  options: ProcessOptions<M>,
): ProcessDefinition<M> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      `defineProcess takes { name, machine, topics, correlate, aggregates }, not ${describeValue(options)}`,
    );
  }
  const { name, machine, topics, correlate, aggregates } = options;
  if (typeof name !== 'string' || !/^[A-Za-z_][\w$-]*$/.test(name)) {
    throw new ConfigurationError(
      `Process name ${shown(name)} must be a non-empty identifier without dots that does not start with '$'`,
    );
  }
  const isMachine =
    typeof machine === 'object' &&
    machine !== null &&
    typeof (machine as { transition?: unknown }).transition === 'function' &&
    typeof (machine as { getInitialSnapshot?: unknown }).getInitialSnapshot === 'function' &&
    'config' in machine;
  if (!isMachine) {
    throw new ConfigurationError(
      `Process '${name}': machine is ${describeValue(machine)}, not an XState machine (createMachine / setup().createMachine)`,
    );
  }
  if (!Array.isArray(topics) || topics.length === 0) {
    throw new ConfigurationError(
      `Process '${name}': topics must name at least one upstream event type ('<Aggregate>.<Event>')`,
    );
  }
  for (const topic of topics) {
    if (typeof topic !== 'string' || !/^[^.$][^.]*\.[^.]+$/.test(topic)) {
      throw new ConfigurationError(
        `Process '${name}': topic ${shown(topic)} is not '<Aggregate>.<Event>'`,
      );
    }
  }
  if (typeof correlate !== 'function') {
    throw new ConfigurationError(
      `Process '${name}': correlate is ${shown(correlate)}, not a function of an upstream event`,
    );
  }
  if (!Array.isArray(aggregates)) {
    throw new ConfigurationError(
      `Process '${name}': aggregates must be an array of aggregate definitions`,
    );
  }
  const byName = new Map<string, AggregateDefinition>();
  for (const definition of aggregates) {
    const aggregateName = (definition as { name?: unknown } | null)?.name;
    if (typeof aggregateName !== 'string' || typeof definition.streamName !== 'function') {
      throw new ConfigurationError(
        `Process '${name}': ${describeValue(definition)} in aggregates is not an aggregate definition (defineAggregate)`,
      );
    }
    const known = byName.get(aggregateName);
    if (known !== undefined && known !== definition) {
      throw new ConfigurationError(
        `Process '${name}': two aggregate definitions are named '${aggregateName}'`,
      );
    }
    byName.set(aggregateName, definition);
  }
  return {
    kind: 'process',
    name,
    machine,
    topics: [...topics],
    correlate,
    aggregates: [...aggregates],
    aggregateNamed: (aggregateName) => byName.get(aggregateName),
  };
}

/** A value for an error message: a string quoted as it is, anything else described. */
const shown = (value: unknown): string =>
  typeof value === 'string' ? `'${value}'` : describeValue(value);

/** Checks that `value` is a process definition (for runners given one from JavaScript). */
export function checkProcessDefinition(value: unknown, where: string): ProcessDefinition {
  if (
    typeof value !== 'object' ||
    value === null ||
    (value as { kind?: unknown }).kind !== 'process'
  ) {
    throw new ProgrammingError(
      `${where}: process is ${describeValue(value)}, not a process definition (defineProcess)`,
    );
  }
  return value as ProcessDefinition;
}
