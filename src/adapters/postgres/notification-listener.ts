/**
 * One dedicated PostgreSQL connection that `LISTEN`s on a channel and reports every
 * notification, so that waits wake on commits of any process without polling. Connected lazily
 * (on the first `ready()`), reconnected lazily: after a connection loss it reports a change (so
 * waiters check again) and the next `ready()` connects and listens again.
 *
 * @module
 */
import pg from 'pg';

/** A LISTEN connection; see the module comment. */
export class NotificationListener {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #onChange: () => void;
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;

  /**
   * @param config how to connect (the recorder's pool settings)
   * @param channel the channel to LISTEN on
   * @param onChange called for each notification, after each (re)connect and after a loss
   */
  constructor(config: pg.ClientConfig, channel: string, onChange: () => void) {
    this.#config = config;
    this.#channel = channel;
    this.#onChange = onChange;
  }

  /** True while the connection is up and listening. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /**
   * Resolves once the connection listens, or once an attempt to connect failed (the caller
   * then relies on polling; the next call tries again). Never rejects.
   */
  ready(): Promise<void> {
    if (this.#closed || this.#client !== undefined) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Ends the connection; `ready()` does nothing afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel === this.#channel) this.#onChange();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
    } catch {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    // Commits may have landed while nobody listened: everyone checks again.
    this.#onChange();
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    if (!this.#closed) this.#onChange();
  }
}
