/**
 * The one place that owns an official `KurrentDBClient`, and replaces it when it breaks.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import type { Channel } from '@grpc/grpc-js';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { ConfigurationError, PersistenceError, ProgrammingError } from '../../core/errors.js';
import { isConnectionFailure } from './client-errors.js';
import { type RetryOptions, resolveRetryOptions } from './connection-retry.js';
import {
  type KurrentDBUri,
  parseKurrentDBUri,
  redactCredentials,
  withQueryParameter,
} from './connection-uri.js';
import {
  type RootCertificatesFile,
  withTlsCaFile,
  writeRootCertificates,
} from './root-certificates.js';

/** The `discoveryInterval` given to the client for a single node (see `clientUri`). */
const SINGLE_NODE_DISCOVERY_INTERVAL_MS = 10;
/**
 * The `discoveryInterval` given to the client for a cluster when the URI sets none: the JS
 * half's default, also for the Rust read bridge, whose own default (500 ms) it waits before its
 * first discovery — half a second on each new client's first read.
 */
const CLUSTER_DISCOVERY_INTERVAL_MS = 100;

/** How to reach a KurrentDB. */
export interface KurrentDBConnectionOptions {
  /** Connection string, e.g. `kurrentdb://admin:changeit@localhost:2113?tls=false`. */
  readonly uri: string;
  /**
   * PEM text of the CA certificate(s) the server's certificate must chain to (the value of
   * `KURRENTDB_ROOT_CERTIFICATES`). Used by both halves of the client. Without it, TLS
   * connections trust the system's roots, or the URI's `tlsCAFile`.
   */
  readonly rootCertificates?: string | undefined;
  /**
   * How operations are retried after a lost connection or a leader change (see
   * `withConnectionRetry`): appends with the same event ids, reads from where they were.
   * Checked at construction (see `resolveRetryOptions`): malformed ones are a `ProgrammingError`.
   */
  readonly retry?: RetryOptions | undefined;
}

/** A client together with the generation it belongs to. */
export interface ClientLease {
  readonly client: KurrentDBClient;
  readonly generation: number;
}

/**
 * Holds the official client for the recorders that share it.
 *
 * - The URI is validated at construction (`ConfigurationError`, credentials masked), and the
 *   client is created at once, so both of the client's parsers have accepted the string.
 * - Nothing connects until the first operation.
 * - When an operation fails because the connection failed (see {@link isConnectionFailure}), the
 *   client of that generation is dropped and the next operation builds a fresh one: the client's
 *   Rust bridge stays dead after a failed first read, so reusing it would fail for ever.
 * - Each recorder built on a connection holds a reference; the connection closes when the last
 *   one is closed (or when {@link KurrentDBConnection.close} is called).
 */
export class KurrentDBConnection {
  readonly #settings: KurrentDBUri;
  readonly #clientUri: string;
  readonly #caFile: RootCertificatesFile | undefined;
  /** How operations are retried after a connection failure. */
  readonly retry: Required<RetryOptions>;
  #lease: ClientLease | undefined;
  #generation = 0;
  #references = 0;
  readonly #closing = new AbortController();

  constructor(options: KurrentDBConnectionOptions) {
    this.#settings = parseKurrentDBUri(options.uri);
    // Every operation pausing before a retry listens on it: many at once is normal.
    setMaxListeners(0, this.#closing.signal);
    this.retry = resolveRetryOptions(options.retry);
    const pem = options.rootCertificates;
    if (pem !== undefined && pem.trim() !== '' && this.#settings.tlsCaFile !== undefined) {
      throw new ConfigurationError(
        `Invalid KurrentDB settings for '${this.#settings.masked}': give the root certificates either as rootCertificates (KURRENTDB_ROOT_CERTIFICATES) or as tlsCAFile in the URI, not both`,
      );
    }
    // Plaintext connections ignore root certificates (as both halves of the client do).
    const usePem = pem !== undefined && pem.trim() !== '' && this.#settings.tls;
    this.#caFile = usePem ? writeRootCertificates(pem) : undefined;
    this.#clientUri = clientUri(this.#settings, this.#caFile);
    try {
      this.#lease = { client: this.#createClient(), generation: 0 };
    } catch (error) {
      this.#caFile?.remove();
      throw error;
    }
  }

  /** The connection string with its credentials masked. */
  get maskedUri(): string {
    return this.#settings.masked;
  }

  /** How long an operation may go without progress before it fails (the URI's `defaultDeadline`). */
  get deadlineMs(): number {
    return this.#settings.deadlineMs;
  }

  /**
   * True for a cluster URI (several hosts, or `+discover`): failed operations are retried on
   * another node. A single node fails fast while it is down (only NotLeader is retried).
   */
  get isCluster(): boolean {
    return !this.#settings.singleNode;
  }

  /** Increases each time the client is replaced. */
  get generation(): number {
    return this.#generation;
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Aborts when the connection is closed: long-running operations (subscriptions) end then. */
  get closedSignal(): AbortSignal {
    return this.#closing.signal;
  }

  /**
   * The current client, created if the previous one was dropped.
   *
   * @throws ProgrammingError after `close()`; PersistenceError if a new client can't be built.
   */
  lease(): ClientLease {
    this.#assertOpen();
    if (this.#lease === undefined) {
      try {
        this.#lease = { client: this.#createClient(), generation: this.#generation };
      } catch (error) {
        throw new PersistenceError(
          `Failed to create a KurrentDB client for '${this.maskedUri}': ${error instanceof Error ? redactCredentials(this.#clientUri, error.message) : 'unknown error'}`,
          { cause: error },
        );
      }
    }
    return this.#lease;
  }

  /**
   * Reports that an operation of `lease` failed with `error`. When the connection failed, drops
   * that client so the next operation builds a new one (once per generation).
   */
  reportFailure(lease: ClientLease, error: unknown): void {
    if (!isConnectionFailure(error)) return;
    if (this.#lease !== lease) return;
    this.#lease = undefined;
    this.#generation += 1;
    // Calls still open on the old client (a healthy subscription) may finish; only new calls
    // are refused. Each of them reports its own failure when it has one.
    void closeChannel(lease.client);
  }

  /** Registers a user (a recorder) of this connection. */
  acquire(): void {
    this.#assertOpen();
    this.#references += 1;
  }

  /** Unregisters a user; the last one closes the connection. */
  async release(): Promise<void> {
    if (this.#references === 0) return;
    this.#references -= 1;
    if (this.#references === 0) await this.close();
  }

  /**
   * Ends open subscriptions, cancels open calls, closes the channel and deletes the
   * root-certificates file.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.#closing.abort();
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease) await disposeClient(lease.client);
    this.#caFile?.remove();
  }

  #assertOpen(): void {
    if (this.closed) {
      throw new ProgrammingError(`KurrentDB connection to '${this.maskedUri}' is closed`);
    }
  }

  #createClient(): KurrentDBClient {
    try {
      return KurrentDBClient.connectionString(this.#clientUri);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const safe = redactCredentials(this.#clientUri, message);
      const cause = new Error(safe);
      cause.name = error instanceof Error ? error.name : 'Error';
      const what = this.#caFile ? 'KurrentDB URI or root certificates' : 'KurrentDB URI';
      throw new ConfigurationError(`Invalid ${what} '${this.maskedUri}': ${safe}`, { cause });
    }
  }
}

/**
 * The connection string handed to the client: the given one, plus the root-certificates file, and
 * a short `discoveryInterval` unless one is set (10 ms for a single node, 100 ms for a cluster).
 * (The Rust bridge sleeps for `discoveryInterval`, 500 ms by default, before it first connects;
 * on a single node the setting has no other use there, and grpc-js only uses it for cluster
 * discovery.)
 */
function clientUri(settings: KurrentDBUri, caFile: RootCertificatesFile | undefined): string {
  let uri = settings.uri;
  if (caFile) uri = withTlsCaFile(uri, caFile.path);
  if (!settings.parameters.has('discoveryinterval')) {
    const ms = settings.singleNode
      ? SINGLE_NODE_DISCOVERY_INTERVAL_MS
      : CLUSTER_DISCOVERY_INTERVAL_MS;
    uri = withQueryParameter(uri, 'discoveryInterval', String(ms));
  }
  return uri;
}

/** Cancels the client's streams and closes its gRPC channel; never throws. */
async function disposeClient(client: KurrentDBClient): Promise<void> {
  try {
    await client.dispose();
  } catch {
    // The client is being thrown away; a failure to tidy it up changes nothing.
  }
  await closeChannel(client);
}

/**
 * Closes the client's gRPC channel (the client has no public `close()`): calls in progress go
 * on, new ones are refused. Never throws.
 */
async function closeChannel(client: KurrentDBClient): Promise<void> {
  try {
    const internals = client as unknown as { getChannel(): Promise<Channel> };
    (await internals.getChannel()).close();
  } catch {
    // Same as above.
  }
}
