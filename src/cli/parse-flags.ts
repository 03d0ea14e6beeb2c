/**
 * A tiny `--name value` / `--name=value` flag parser for the CLI commands. Unknown flags,
 * missing values and stray positional arguments are configuration errors.
 *
 * @module
 */
import { ConfigurationError } from '../core/errors.js';

/** Parses `args` against the allowed flag names (without `--`). */
export function parseFlags(
  args: readonly string[],
  allowed: readonly string[],
): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) throw new ConfigurationError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!allowed.includes(name)) throw new ConfigurationError(`unknown flag '--${name}'`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new ConfigurationError(`flag '--${name}' needs a value`);
    }
    flags.set(name, value);
  }
  return flags;
}

/** Parses a TCP port (0–65535). */
export function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65_535) {
    throw new ConfigurationError(`'${text}' is not a valid port`);
  }
  return Number(text);
}
