/**
 * Puts a fresh stream into one of the states of the expected-revision table
 * (protocol doc §4.1): missing, existing, soft-deleted or tombstoned.
 *
 * @module
 */
import type { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { uniqueStream } from './client.js';
import { jsonEvents } from './events.js';

/** A stream state of the expected-revision table. */
export type StreamState = 'missing' | 'existing' | 'soft-deleted' | 'tombstoned';

/** Revision of the last event of a prepared `existing`/`soft-deleted`/`tombstoned` stream. */
export const PREPARED_LAST_REVISION = 2n;

/** Creates a stream in `state`: three events (revisions 0–2) unless missing. */
export async function prepareStream(client: KurrentDBClient, state: StreamState): Promise<string> {
  const stream = uniqueStream(state);
  if (state === 'missing') return stream;
  await client.appendToStream(stream, jsonEvents(3));
  if (state === 'soft-deleted') await client.deleteStream(stream);
  if (state === 'tombstoned') await client.tombstoneStream(stream);
  return stream;
}
