/**
 * Environment lookup with the application-name prefix, as in the Python `eventsourcing` library:
 * `get('KURRENTDB_URI')` in an application named `Orders` looks up `ORDERS_KURRENTDB_URI`, then
 * `KURRENTDB_URI`.
 *
 * @module
 */
import { ConfigurationError } from './errors.js';

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

  /**
   * A yes/no setting: `y`, `yes`, `t`, `true`, `on`, `1` or `n`, `no`, `f`, `false`, `off`, `0`
   * (any case); unset → `fallback`.
   *
   * @throws ConfigurationError for any other value, naming the keys looked up.
   */
  getBoolean(key: string, fallback: boolean): boolean {
    const value = this.get(key);
    if (value === undefined) return fallback;
    const text = value.trim().toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    throw new ConfigurationError(
      `'${value}' in '${this.createKeys(key).join(', ')}' is not a yes/no value (expected one of y, yes, t, true, on, 1, n, no, f, false, off, 0)`,
    );
  }

  /**
   * A numeric setting; unset → `fallback`.
   *
   * @throws ConfigurationError for a value that isn't a finite number (or isn't an integer when
   *   `integer` is set), naming the keys looked up.
   */
  getNumber(key: string, fallback: number, options: { integer?: boolean } = {}): number {
    const value = this.get(key);
    if (value === undefined) return fallback;
    const number = Number(value.trim());
    if (
      value.trim() === '' ||
      !Number.isFinite(number) ||
      (options.integer === true && !Number.isInteger(number))
    ) {
      throw new ConfigurationError(
        `'${value}' in '${this.createKeys(key).join(', ')}' is not ${options.integer === true ? 'an integer' : 'a number'}`,
      );
    }
    return number;
  }
}

const TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);
