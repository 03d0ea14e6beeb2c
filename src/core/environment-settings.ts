/**
 * Typed reads of environment settings shared by the SQL adapters (SQLite, PostgreSQL): required
 * keys, yes/no flags and numbers, each failing with a `ConfigurationError` that names the keys
 * it looked up. Driver-free, so the PostgreSQL adapter imports it too.
 *
 * @module
 */
import type { Environment } from './environment.js';
import { ConfigurationError } from './errors.js';

/** Environment key: create the tables when missing (default yes). */
export const CREATE_TABLE = 'CREATE_TABLE';

const TRUE_WORDS = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE_WORDS = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** `'A_KEY, KEY'`: the keys looked up for `key`, for messages. */
export const lookedUp = (env: Environment, key: string): string =>
  `'${env.createKeys(key).join(', ')}'`;

/** The error for required settings that are missing, naming every key looked up. */
export function missingSettingsError(
  env: Environment,
  keys: readonly string[],
  hint = '',
): ConfigurationError {
  const list = keys.map((key) => `'${key}' (looked up as ${lookedUp(env, key)})`).join(', ');
  const noun = keys.length === 1 ? 'setting' : 'settings';
  return new ConfigurationError(`Missing ${noun} in environment: ${list}${hint}`);
}

/** The value of a required key. @throws ConfigurationError naming the keys looked up. */
export function requiredSetting(env: Environment, key: string): string {
  const value = env.get(key);
  if (value === undefined) throw missingSettingsError(env, [key]);
  return value;
}

/**
 * A yes/no setting: `y yes t true on 1` or `n no f false off 0`, in any case.
 *
 * @throws ConfigurationError for any other value.
 */
export function booleanSetting(env: Environment, key: string, fallback: boolean): boolean {
  const value = env.get(key);
  if (value === undefined) return fallback;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new ConfigurationError(
    `Invalid value '${value}' of ${lookedUp(env, key)}: expected one of y, yes, t, true, on, 1 or n, no, f, false, off, 0`,
  );
}

/** Options of {@link numberSetting}. */
export interface NumberSettingOptions {
  /** Only whole numbers. @defaultValue `false` */
  readonly integer?: boolean;
  /** The smallest value allowed. @defaultValue `0` */
  readonly min?: number;
}

/**
 * A number setting, `undefined` when unset.
 *
 * @throws ConfigurationError for a value that is not a (whole) number ≥ `min`.
 */
export function numberSetting(
  env: Environment,
  key: string,
  options: NumberSettingOptions = {},
): number | undefined {
  const value = env.get(key);
  if (value === undefined) return undefined;
  const { integer = false, min = 0 } = options;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < min) {
    throw new ConfigurationError(
      `Invalid value '${value}' of ${lookedUp(env, key)}: expected ${integer ? 'a whole number' : 'a number'} ≥ ${min}`,
    );
  }
  return number;
}
