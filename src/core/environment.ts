/**
 * Environment lookup with the application-name prefix, as in the Python `eventsourcing` library:
 * `get('KURRENTDB_URI')` in an application named `Orders` looks up `ORDERS_KURRENTDB_URI`, then
 * `KURRENTDB_URI`.
 *
 * @module
 */
/** Key/value settings, e.g. `process.env`. */
export type EnvironmentValues = Readonly<Record<string, string | undefined>>;

export class Environment {
  readonly name: string;
  readonly #values: EnvironmentValues;

  /**
   * @param name the application name; its upper-cased form prefixes every key.
   * @param values the settings, later objects override earlier ones.
   */
  constructor(name: string, ...values: EnvironmentValues[]) {
    this.name = name;
    this.#values = Object.assign({}, ...values);
  }

  /** The keys looked up for `key`, most specific first. */
  createKeys(key: string): string[] {
    const prefix = this.name.toUpperCase();
    return prefix === '' ? [key] : [`${prefix}_${key}`, key];
  }

  /** The first value found for the prefixed then the plain key; empty strings count as unset. */
  get(key: string): string | undefined;
  get(key: string, fallback: string): string;
  get(key: string, fallback?: string): string | undefined {
    for (const k of this.createKeys(key)) {
      const value = this.#values[k];
      if (value !== undefined && value !== '') return value;
    }
    return fallback;
  }
}
