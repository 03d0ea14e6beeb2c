/**
 * `Projection`: turns an application's domain events into a view's state. The runner gives it
 * each notification of its `topics` in order, decoded and upcast with the application's
 * aggregate definitions, with the `Tracking` the view must record in the same transaction as its
 * change (so nothing is applied twice or skipped across restarts).
 *
 * @module
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import type { Notification } from '../../core/stored-event.js';
import type { Tracking, TrackingRecorder } from '../../core/tracking-recorder.js';
import type { AggregateDefinition, DomainEventOf } from '../aggregate/define-aggregate.js';

/** Where a projected event comes from. */
export interface ProjectedEventContext {
  /** The aggregate type (the part of the topic before the dot). */
  readonly aggregate: string;
  /** The stored type, `<Aggregate>.<Event>`. */
  readonly topic: string;
  /** The aggregate's stream and the event's version (revision) in it. */
  readonly streamName: string;
  readonly version: number;
  /** The notification as stored (metadata, event id, position). */
  readonly notification: Notification;
}

/** A handler of one domain event type. */
export type EventHandler<E extends EventObject = EventObject> = (
  event: E,
  tracking: Tracking,
  context: ProjectedEventContext,
) => Promise<void> | void;

/** Typed handlers for the domain events of one aggregate, by event type. */
export type HandlersOf<M extends AnyStateMachine> = {
  readonly [T in DomainEventOf<M>['type']]?: EventHandler<Extract<DomainEventOf<M>, { type: T }>>;
};

/**
 * Subclass it, name the `topics` (`<Aggregate>.<Event>`, sent to the store as an event-type
 * filter), and either override {@link processEvent} or register typed handlers with {@link on}
 * (then `topics` defaults to the handled ones).
 *
 * Every event given to the projection must end with the view recording its tracking (through a
 * view method that writes the change and the tracking together), or `wait` for it never returns.
 *
 * @example
 * ```ts
 * class CountProjection extends Projection<CountersView> {
 *   constructor(view: CountersView) {
 *     super(view);
 *     this.on(Dog, {
 *       Registered: (_event, tracking) => this.view.incrDogCounter(tracking),
 *       TrickAdded: (_event, tracking) => this.view.incrTrickCounter(tracking),
 *     });
 *   }
 * }
 * ```
 */
export abstract class Projection<TView extends TrackingRecorder = TrackingRecorder> {
  /** The topics to process (`<Aggregate>.<Event>`); empty = those registered with `on`. */
  static topics: readonly string[] = [];
  /** The projection's name (prefix of its view's settings). @defaultValue the class name */
  static projectionName: string | undefined;

  readonly view: TView;
  readonly #handlers = new Map<string, EventHandler>();

  constructor(view: TView) {
    this.view = view;
  }

  /** The projection's name: `projectionName` or the class name. */
  get name(): string {
    const type = this.constructor as typeof Projection;
    return type.projectionName ?? type.name;
  }

  /** The topics subscribed to: the class's `topics`, else those with handlers. */
  get topics(): readonly string[] {
    const declared = (this.constructor as typeof Projection).topics;
    return declared.length > 0 ? declared : [...this.#handlers.keys()];
  }

  /** Registers typed handlers for domain events of one aggregate type. */
  protected on<M extends AnyStateMachine>(
    definition: AggregateDefinition<M>,
    handlers: HandlersOf<M>,
  ): void {
    for (const [type, handler] of Object.entries(handlers)) {
      if (handler !== undefined)
        this.#handlers.set(definition.topicOf(type), handler as EventHandler);
    }
  }

  /**
   * Handles one event: by default, the handler registered for its topic (an event with none is
   * a programming error: its topic was subscribed to but nothing handles it).
   */
  processEvent(
    event: EventObject,
    tracking: Tracking,
    context: ProjectedEventContext,
  ): Promise<void> | void {
    const handler = this.#handlers.get(context.topic);
    if (handler === undefined) {
      throw new TypeError(
        `${this.name} subscribed to '${context.topic}' but has no handler for it: register one with on() or override processEvent`,
      );
    }
    return handler(event, tracking, context);
  }
}
