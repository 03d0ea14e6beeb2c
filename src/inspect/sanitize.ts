/**
 * Redaction of named fields (dotted paths such as `owner.email`) in the contexts and events the
 * inspector shows — including the initial context written in a machine's definition — without
 * touching the objects the actors themselves hold.
 *
 * @module
 */

import type { StatelyInspectionEvent } from '@statelyai/inspect';

/** The value that replaces every redacted field. */
export const REDACTED = '[redacted]';

/** Which fields to hide from the inspector; each entry is a field name or a dotted path. */
export interface InspectorSanitizeOptions {
  /** Paths into every snapshot context, e.g. `['owner.email', 'token']`. */
  readonly contextFields?: readonly string[];
  /** Paths into every event sent to an actor, e.g. `['card.number']`. */
  readonly eventFields?: readonly string[];
}

/**
 * Returns a function that copies a value with the fields at `paths` replaced by
 * {@link REDACTED}. Only the objects on a redacted path are copied; the input is never mutated.
 * A path segment that meets an array applies the rest of the path to each element, so
 * `lines.price` redacts the price of every line. Missing fields are left missing.
 */
export function createRedactor(paths: readonly string[]): <T>(value: T) => T {
  const split = paths.filter((path) => path.length > 0).map((path) => path.split('.'));
  if (split.length === 0) return (value) => value;
  return (value) => {
    let result: unknown = value;
    for (const segments of split) result = redactPath(result, segments);
    return result as typeof value;
  };
}

function redactPath(value: unknown, segments: readonly string[]): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item: unknown, index) => {
      const redacted = redactPath(item, segments);
      if (redacted !== item) {
        copy ??= [...value];
        copy[index] = redacted;
      }
    });
    return copy ?? value;
  }
  const [head, ...rest] = segments;
  if (head === undefined || typeof value !== 'object' || value === null) return value;
  if (!Object.hasOwn(value, head)) return value;
  const record = value as Record<string, unknown>;
  const current = record[head];
  const next = rest.length === 0 ? REDACTED : redactPath(current, rest);
  return next === current ? value : { ...record, [head]: next };
}

/**
 * Returns a function that redacts `contextFields` in the initial `context` of the machine
 * definition an `@xstate.actor` message carries (a JSON string of the machine config), which the
 * package's `sanitizeContext` hook does not reach. Other messages pass unchanged. Idempotent, as
 * the package may apply it twice to an event it had deferred.
 */
export function createDefinitionRedactor(
  contextFields: readonly string[],
): (event: StatelyInspectionEvent) => StatelyInspectionEvent {
  const redact = createRedactor(contextFields.map((path) => `context.${path}`));
  return (event) => {
    if (event.type !== '@xstate.actor' || event.definition === undefined) return event;
    let config: unknown;
    try {
      config = JSON.parse(event.definition);
    } catch {
      // Not JSON: it cannot be checked, so it is not shown.
      return { ...event, definition: undefined };
    }
    const redacted = redact(config);
    return redacted === config ? event : { ...event, definition: JSON.stringify(redacted) };
  };
}
