/**
 * Decoding notifications for projections: the topic `<Aggregate>.<Event>` names the aggregate
 * definition whose codec (upcasters, schemas) turns the stored event into its domain event.
 *
 * @module
 */
import type { EventObject } from 'xstate';
import { DecodingError } from '../../core/errors.js';
import type { Notification } from '../../core/stored-event.js';
import { defaultTranscoder, type Transcoder } from '../../core/transcoder.js';
import type { AggregateDefinition } from '../aggregate/define-aggregate.js';
import { decodeEvent } from '../aggregate/event-codec.js';
import type { ProjectedEventContext } from './projection.js';

/** Finds an aggregate definition by name. */
export type DefinitionLookup = (name: string) => AggregateDefinition | undefined;

/** A decoded notification: the domain event and where it comes from. */
export interface DecodedNotification {
  readonly event: EventObject;
  readonly context: ProjectedEventContext;
}

/**
 * @throws DecodingError naming the stream, revision and type when no definition is known for
 *   the topic's aggregate, or the event can't be decoded or upcast.
 */
export function decodeNotification(
  definitions: DefinitionLookup,
  notification: Notification,
  applicationName: string,
  transcoder: Transcoder = defaultTranscoder,
): DecodedNotification | Promise<DecodedNotification> {
  const dot = notification.topic.indexOf('.');
  const aggregate = dot < 0 ? '' : notification.topic.slice(0, dot);
  const definition = definitions(aggregate);
  if (definition === undefined) {
    throw new DecodingError(
      {
        streamName: notification.originatorId,
        revision: notification.originatorVersion,
        eventType: notification.topic,
      },
      `application '${applicationName}' has no aggregate definition named '${aggregate}' (list it in the class's static aggregates)`,
    );
  }
  const context: ProjectedEventContext = {
    aggregate,
    topic: notification.topic,
    streamName: notification.originatorId,
    version: notification.originatorVersion,
    notification,
  };
  const event = decodeEvent(definition, notification, transcoder);
  return event instanceof Promise
    ? event.then((decoded) => ({ event: decoded, context }))
    : { event, context };
}
