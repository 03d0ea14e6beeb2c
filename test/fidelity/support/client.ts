/**
 * Client creation for the fidelity suite: every test file builds its own
 * `KurrentDBClient` from the URI the global setup provides.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { inject } from 'vitest';

/** Credentials that force `appendToStream` onto the `Streams.Append` RPC (they disable BatchAppend). */
export const APPEND_CREDENTIALS = { username: 'admin', password: 'changeit' } as const;

/** Connection string of the KurrentDB under test. */
export function kurrentdbUri(): string {
  return inject('kurrentdbUri');
}

/**
 * A new client on the KurrentDB under test. Dispose it in `afterAll`.
 *
 * @param extraQuery query parameters appended to the connection string, e.g. `throwOnAppendFailure=false`.
 */
export function createClient(extraQuery?: string): KurrentDBClient {
  const uri = kurrentdbUri();
  if (extraQuery === undefined) return KurrentDBClient.connectionString(uri);
  const separator = uri.includes('?') ? '&' : '?';
  return KurrentDBClient.connectionString(`${uri}${separator}${extraQuery}`);
}

/** A stream name no other test (or run) uses. */
export function uniqueStream(prefix = 'fidelity'): string {
  return `${prefix}-${randomUUID()}`;
}

/** `host:port` of the KurrentDB under test, for raw gRPC clients. */
export function grpcAddress(): string {
  const url = new URL(kurrentdbUri());
  return `${url.hostname}:${url.port === '' ? '2113' : url.port}`;
}
