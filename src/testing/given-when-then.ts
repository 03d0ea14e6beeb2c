/**
 * `given(events).when(command).then(events | error)` for aggregates: pure, no store, no actor.
 * The same validation and decision as the runtime's command path (`decide.ts`), so a machine's
 * tests exercise exactly what production runs.
 *
 * @example
 * ```ts
 * await given(Dog, [{ type: 'Registered', name: 'Fido' }])
 *   .when({ type: 'addTrick', trick: 'sit' })
 *   .then([{ type: 'TrickAdded', trick: 'sit' }]);
 * await given(Dog).when({ type: 'addTrick', trick: 'sit' }).then(CommandRejectedError);
 * ```
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AnyMachineSnapshot, AnyStateMachine, EventObject, SnapshotFrom } from 'xstate';
import { type AnyTranscoding, defaultTranscoder, Transcoder } from '../core/transcoder.js';
import { decide, evolve, validateCommand } from '../runtime/aggregate/decide.js';
import type {
  AggregateDefinition,
  CommandOf,
  DomainEventOf,
} from '../runtime/aggregate/define-aggregate.js';
import { recordDecision } from '../runtime/aggregate/record-decision.js';

/** Options of {@link given}. */
export interface GivenOptions {
  /** The aggregate id, for error messages. @defaultValue `'given'` */
  readonly aggregateId?: string;
  /** The application's transcodings, so emitted events are encoded and decoded as it does. */
  readonly transcodings?: readonly AnyTranscoding[];
}

/** What `then` compares against: the emitted events, an error class, or an error predicate. */
export type Expectation<M extends AnyStateMachine> =
  | readonly DomainEventOf<M>[]
  | (abstract new (
      ...args: never[]
    ) => Error)
  | ((error: unknown) => boolean);

/** The outcome of a successful `then`: the events and the state after applying them. */
export interface Outcome<M extends AnyStateMachine> {
  readonly events: readonly DomainEventOf<M>[];
  readonly snapshot: SnapshotFrom<M>;
}

/** A failed expectation of the kit. */
export class ExpectationError extends Error {
  override readonly name = 'ExpectationError';
}

/**
 * Starts a scenario: the aggregate with these domain events already applied. The emitted events
 * go through the transcoder as in the runtime, so `then` compares what a replay would apply and a
 * value that can't be stored fails here as it would in production.
 */
export function given<M extends AnyStateMachine>(
  definition: AggregateDefinition<M>,
  events: readonly DomainEventOf<M>[] = [],
  options: string | GivenOptions = {},
): Given<M> {
  const { aggregateId = 'given', transcodings } =
    typeof options === 'string' ? { aggregateId: options } : options;
  const transcoder =
    transcodings === undefined || transcodings.length === 0
      ? defaultTranscoder
      : new Transcoder(transcodings);
  return new Given(definition, events, aggregateId, transcoder);
}

export class Given<M extends AnyStateMachine> {
  readonly #definition: AggregateDefinition<M>;
  readonly #events: readonly DomainEventOf<M>[];
  readonly #aggregateId: string;
  readonly #transcoder: Transcoder;

  constructor(
    definition: AggregateDefinition<M>,
    events: readonly DomainEventOf<M>[],
    aggregateId: string,
    transcoder: Transcoder = defaultTranscoder,
  ) {
    this.#definition = definition;
    this.#events = events;
    this.#aggregateId = aggregateId;
    this.#transcoder = transcoder;
  }

  /** The state after the given events (as a replay would build it). */
  get snapshot(): SnapshotFrom<M> {
    return evolve(
      this.#definition,
      this.#definition.initialSnapshot() as AnyMachineSnapshot,
      this.#events as readonly EventObject[],
    ) as SnapshotFrom<M>;
  }

  /** The command to decide on. */
  when(command: CommandOf<M>): When<M> {
    return new When(
      this.#definition,
      this.#aggregateId,
      this.snapshot,
      command as EventObject,
      this.#transcoder,
      this.#events.length,
    );
  }
}

export class When<M extends AnyStateMachine> {
  readonly #definition: AggregateDefinition<M>;
  readonly #aggregateId: string;
  readonly #snapshot: SnapshotFrom<M>;
  readonly #command: EventObject;
  readonly #transcoder: Transcoder;
  readonly #version: number;

  constructor(
    definition: AggregateDefinition<M>,
    aggregateId: string,
    snapshot: SnapshotFrom<M>,
    command: EventObject,
    transcoder: Transcoder = defaultTranscoder,
    /** How many events were given (the next event's version). */
    version = 0,
  ) {
    this.#definition = definition;
    this.#aggregateId = aggregateId;
    this.#snapshot = snapshot;
    this.#command = command;
    this.#transcoder = transcoder;
    this.#version = version;
  }

  /** Decides without asserting: the events, or the error the runtime would raise. */
  async decide(): Promise<Outcome<M>> {
    const subject = { definition: this.#definition, aggregateId: this.#aggregateId };
    const snapshot = this.#snapshot as AnyMachineSnapshot;
    const command = await validateCommand(subject, snapshot, this.#command);
    const emitted = decide(subject, snapshot, command);
    const { events, evolved } = await recordDecision(
      subject,
      this.#transcoder,
      snapshot,
      command.type,
      emitted,
      {
        streamName: this.#definition.streamName(this.#aggregateId),
        firstVersion: this.#version,
        eventIds: emitted.map(() => randomUUID()),
        metadata: {},
      },
    );
    return { events: events as DomainEventOf<M>[], snapshot: evolved as SnapshotFrom<M> };
  }

  /**
   * Asserts the outcome: exactly these domain events (deep equality, in order), or an error of
   * this class / matching this predicate.
   *
   * @returns the events and the resulting state when events were expected.
   * @throws ExpectationError when the outcome differs.
   */
  // biome-ignore lint/suspicious/noThenProperty: deliberate — given/when/then, and awaiting a When yields its outcome
  then(expected: Expectation<M>): Promise<Outcome<M> | undefined>;
  /** `await given(…).when(…)`: the decision's outcome (or its error), without asserting. */
  // biome-ignore lint/suspicious/noThenProperty: deliberate — given/when/then, and awaiting a When yields its outcome
  then<R1 = Outcome<M>, R2 = never>(
    onFulfilled: (outcome: Outcome<M>) => R1 | PromiseLike<R1>,
    onRejected?: (reason: unknown) => R2 | PromiseLike<R2>,
  ): Promise<R1 | R2>;
  // biome-ignore lint/suspicious/noThenProperty: deliberate — given/when/then, and awaiting a When yields its outcome
  then(
    expected: Expectation<M> | ((outcome: Outcome<M>) => unknown),
    onRejected?: (reason: unknown) => unknown,
  ): Promise<unknown> {
    // `await given(…).when(…)` calls then(resolve, reject): behave like the decision's promise.
    if (onRejected !== undefined) {
      return this.decide().then(
        expected as unknown as (outcome: Outcome<M>) => Outcome<M>,
        onRejected as never,
      );
    }
    return this.#assert(expected as Expectation<M>);
  }

  async #assert(expected: Expectation<M>): Promise<Outcome<M> | undefined> {
    let outcome: Outcome<M>;
    try {
      outcome = await this.decide();
    } catch (error) {
      if (Array.isArray(expected)) {
        throw new ExpectationError(
          `Expected events ${JSON.stringify(expected)} but '${this.#command.type}' failed: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
      }
      if (matchesError(expected as Exclude<Expectation<M>, readonly unknown[]>, error)) {
        return undefined;
      }
      throw new ExpectationError(
        `'${this.#command.type}' failed, but not as expected: ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
    if (!Array.isArray(expected)) {
      throw new ExpectationError(
        `Expected '${this.#command.type}' to fail, but it emitted ${JSON.stringify(outcome.events)}`,
      );
    }
    if (!isDeepStrictEqual(outcome.events, expected)) {
      throw new ExpectationError(
        `'${this.#command.type}' emitted ${JSON.stringify(outcome.events)}, expected ${JSON.stringify(expected)}`,
      );
    }
    return outcome;
  }
}

function matchesError(
  expected: (abstract new (...args: never[]) => Error) | ((error: unknown) => boolean),
  error: unknown,
): boolean {
  if (expected.prototype instanceof Error || expected === Error) return error instanceof expected;
  return (expected as (error: unknown) => boolean)(error);
}
