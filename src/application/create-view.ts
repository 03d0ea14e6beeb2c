/**
 * Builds a projection's view from the environment, as the Python library does: its persistence
 * module is `<PROJECTIONNAME>_PERSISTENCE_MODULE` or `PERSISTENCE_MODULE` (`memory` by default,
 * `sqlite`, `postgres`), and SQL views read their own keys (`SQLITE_DBNAME`, `POSTGRES_*`,
 * `DATABASE_URL`, …) with the same prefix.
 *
 * @module
 */
import type { Environment } from '../core/environment.js';
import { ConfigurationError } from '../core/errors.js';
import type { TrackingRecorder } from '../core/tracking-recorder.js';
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
 * @throws ConfigurationError for an unknown module, a module without a view class, or a class
 *   that can't be built for the module (a SQL module needs `fromEnvironment`).
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
  const chosen = typeof option === 'function' ? option : option[module as ViewModule];
  if (chosen === undefined) {
    throw new ConfigurationError(
      `No view class for persistence module '${module}' (from ${keys}); given: ${Object.keys(option).join(', ')}`,
    );
  }
  const kind = viewKindOf(chosen);
  if (kind !== module) {
    throw new ConfigurationError(
      `View class '${chosen.name}' is a ${kind} view, but ${keys} is '${module}'${module === 'memory' ? '' : ` (a ${module} view extends ${module === 'sqlite' ? 'SQLiteTrackingRecorder' : 'PostgresTrackingRecorder'} from 'eventsourcing-kurrentdb/${module}')`}`,
    );
  }
  if (module === 'memory') return { view: new (chosen as new () => V)(), module };
  const build = (chosen as unknown as { fromEnvironment: (env: Environment) => V }).fromEnvironment;
  return { view: build.call(chosen, env), module: module as ViewModule };
}

/** Which module a view class belongs to: the `persistenceModule` of the library class it extends. */
function viewKindOf(type: unknown): ViewModule {
  const module = (type as { persistenceModule?: unknown }).persistenceModule;
  return (VIEW_MODULES as readonly unknown[]).includes(module) ? (module as ViewModule) : 'memory';
}
