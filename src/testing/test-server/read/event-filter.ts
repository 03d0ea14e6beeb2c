/**
 * Which $all records a read or subscription delivers: the node's default $all filter (hiding
 * `$epoch-information` and persistent-subscription-to-$all checkpoints and parked streams), plus
 * an optional event-type or stream-name filter (regex wins over prefixes when non-empty).
 *
 * @module
 */
import type { LogRecord } from '../log/log-record.js';
import type { ReadFilterOptions } from '../wire/generated.js';
import { compileDotnetRegex } from './dotnet-regex.js';

/** A predicate over $all records. */
export type RecordFilter = (record: LogRecord) => boolean;

const PSUB_ALL_PREFIX = '$persistentsubscription-$all::';

/** The node's `DefaultAllFilterStrategy`. */
export function defaultAllFilter(record: LogRecord): boolean {
  const stream = record.streamId;
  if (stream.charCodeAt(0) !== 36 /* $ */) return true;
  if (stream === '$epoch-information') return false;
  if (
    stream.startsWith(PSUB_ALL_PREFIX) &&
    (stream.endsWith('-checkpoint') || stream.endsWith('-parked')) &&
    stream.length >= PSUB_ALL_PREFIX.length + 7
  ) {
    return false;
  }
  return true;
}

/** The filter of a `FilterOptions`, combined with the default $all filter. */
export function filterOf(options: ReadFilterOptions): RecordFilter {
  const byType = options.hasEventType();
  const expression = byType ? options.getEventType() : options.getStreamIdentifier();
  const field = byType
    ? (record: LogRecord) => record.eventType
    : (record: LogRecord) => record.streamId;
  const regex = expression?.getRegex() ?? '';
  if (regex !== '') {
    const compiled = compileDotnetRegex(regex);
    return (record) => defaultAllFilter(record) && compiled.test(field(record));
  }
  const prefixes = expression?.getPrefixList() ?? [];
  return (record) => {
    if (!defaultAllFilter(record)) return false;
    const value = field(record);
    for (const prefix of prefixes) if (value.startsWith(prefix)) return true;
    return false;
  };
}
