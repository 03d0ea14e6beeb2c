/**
 * Builds a projection's view from the environment, as the Python library does: its persistence
 * module is `<PROJECTIONNAME>_PERSISTENCE_MODULE` or `PERSISTENCE_MODULE` (`memory` by default,
 * `sqlite`, `postgres`), and SQL views read their own keys (`SQLITE_DBNAME`, `POSTGRES_*`,
 * `DATABASE_URL`, …) with the same prefix.
 *
 * @module
 */
import type { Environment } from '../core/environment.js';
import { ConfigurationError, isConfigurationError } from '../core/errors.js';
import type { TrackingRecorder } from '../core/tracking-recorder.js';
import { describeValue } from '../core/well-formed.js';
import { PERSISTENCE_MODULE } from './persistence.js';

/** The persistence modules a view can live in. */
export const VIEW_MODULES = ['memory', 'sqlite', 'postgres'] as const;
export type ViewModule = (typeof VIEW_MODULES)[number];

/**
 * A view class: a memory view is constructed with no arguments; a SQL view (extending
 * `SQLiteTrackingRecorder` or `PostgresTrackingRecorder`) is built by its static
 * `fromEnvironment(env)`.
 */
export type ViewClass<V extends TrackingRecorder> = abstract new (...args: never[]) => V;

/** A view class, or one class per persistence module. */
export type ViewOption<V extends TrackingRecorder> =
  | ViewClass<V>
  | { readonly [M in ViewModule]?: ViewClass<V> };

/**
 * Builds the view `option` names for the environment's persistence module.
 *
 * @throws ConfigurationError for an unknown module, a module without a view class, a class that
 *   can't be built for the module (a SQL module needs `fromEnvironment`), a view whose
 *   constructor (or `fromEnvironment`) throws — naming the view, with the original error as the
 *   `cause` (a `ConfigurationError` it throws, e.g. for a missing key, is rethrown as it is) —
 *   or one that builds something that is not a tracking recorder.
 */
export function createView<V extends TrackingRecorder>(
  option: ViewOption<V>,
  env: Environment,
): { view: V; module: ViewModule } {
  const keys = `'${env.createKeys(PERSISTENCE_MODULE).join(', ')}'`;
  const module = env.get(PERSISTENCE_MODULE, 'memory').trim().toLowerCase();
  if (!(VIEW_MODULES as readonly string[]).includes(module)) {
    throw new ConfigurationError(
      `Unknown view persistence module '${module}' in ${keys}: expected one of ${VIEW_MODULES.map((m) => `'${m}'`).join(', ')}${module === 'kurrentdb' ? ' (KurrentDB stores events, not tracking records: keep the view in memory, SQLite or PostgreSQL)' : ''}`,
    );
  }
  if ((typeof option !== 'function' && typeof option !== 'object') || option === null) {
    throw new ConfigurationError(
      `The view option is ${describeValue(option)}: expected a view class, or one class per persistence module`,
    );
  }
  const chosen = typeof option === 'function' ? option : option[module as ViewModule];
  if (chosen === undefined) {
    throw new ConfigurationError(
      `No view class for persistence module '${module}' (from ${keys}); given: ${Object.keys(option).join(', ')}`,
    );
  }
  if (typeof chosen !== 'function') {
    throw new ConfigurationError(
      `The view class for persistence module '${module}' is ${describeValue(chosen)}, not a class`,
    );
  }
  const kind = viewKindOf(chosen);
  if (kind !== module) {
    throw new ConfigurationError(
      `View class '${chosen.name}' is a ${kind} view, but ${keys} is '${module}'${module === 'memory' ? '' : ` (a ${module} view extends ${module === 'sqlite' ? 'SQLiteTrackingRecorder' : 'PostgresTrackingRecorder'} from 'eventsourcing-kurrentdb/${module}')`}`,
    );
  }
  const build =
    module === 'memory'
      ? () => new (chosen as new () => V)()
      : (chosen as unknown as { fromEnvironment?: unknown }).fromEnvironment;
  if (typeof build !== 'function') {
    throw new ConfigurationError(
      `View class '${chosen.name}' is a ${module} view without a static fromEnvironment(env): extend ${module === 'sqlite' ? 'SQLiteTrackingRecorder' : 'PostgresTrackingRecorder'} from 'eventsourcing-kurrentdb/${module}'`,
    );
  }
  let view: unknown;
  try {
    view = build.call(chosen, env);
  } catch (error) {
    if (isConfigurationError(error)) throw error;
    throw new ConfigurationError(
      `View '${chosen.name}' (persistence module '${module}') could not be built: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  if (!isTrackingRecorder(view)) {
    throw new ConfigurationError(
      `View '${chosen.name}' (persistence module '${module}') built ${describeValue(view)}, not a tracking recorder`,
    );
  }
  return { view: view as V, module: module as ViewModule };
}

/** True for an object with the methods the runner calls on a view. */
function isTrackingRecorder(value: unknown): value is TrackingRecorder {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Partial<Record<keyof TrackingRecorder, unknown>>;
  return (
    typeof view.maxTrackingId === 'function' &&
    typeof view.hasTrackingId === 'function' &&
    typeof view.wait === 'function' &&
    typeof view.close === 'function'
  );
}

/** Which module a view class belongs to: the `persistenceModule` of the library class it extends. */
function viewKindOf(type: unknown): ViewModule {
  const module = (type as { persistenceModule?: unknown }).persistenceModule;
  return (VIEW_MODULES as readonly unknown[]).includes(module) ? (module as ViewModule) : 'memory';
}
