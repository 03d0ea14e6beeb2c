/**
 * Validation through any Standard Schema library (zod, valibot, arktype, …): the library only
 * depends on the `@standard-schema/spec` types.
 *
 * @module
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

export type { StandardSchemaV1 };

/** The outcome of {@link validateWithSchema}: the schema's output value, or its issues. */
export type ValidationOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly StandardSchemaV1.Issue[] };

/**
 * Validates `value`; synchronous schemas answer without a microtask, so callers on hot paths can
 * check `instanceof Promise` and skip the await.
 *
 * @param failed turns a schema that throws (or rejects, or answers with no result object) into
 *   the caller's typed error.
 */
export function validateWithSchema<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  failed: (error: unknown) => Error,
): ValidationOutcome<T> | Promise<ValidationOutcome<T>> {
  let result: StandardSchemaV1.Result<T> | Promise<StandardSchemaV1.Result<T>>;
  try {
    result = schema['~standard'].validate(value);
  } catch (error) {
    throw failed(error);
  }
  const outcome = (answer: StandardSchemaV1.Result<T>): ValidationOutcome<T> => {
    if (typeof answer !== 'object' || answer === null) {
      throw failed(new TypeError(`validate() returned ${String(answer)}, not a result object`));
    }
    return toOutcome(answer);
  };
  return result instanceof Promise
    ? result.then(outcome, (error: unknown) => {
        throw failed(error);
      })
    : outcome(result);
}

function toOutcome<T>(result: StandardSchemaV1.Result<T>): ValidationOutcome<T> {
  return result.issues === undefined
    ? { ok: true, value: result.value }
    : { ok: false, issues: result.issues };
}

/** `issues` as one readable line: `name: Required; tricks.0: Expected string`. */
export function describeIssues(issues: readonly StandardSchemaV1.Issue[]): string {
  return issues
    .map((issue) => {
      const path = (issue.path ?? [])
        .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
        .join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}
