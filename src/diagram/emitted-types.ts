/**
 * Which domain event types a transition's actions emit, for labelling a diagram.
 *
 * `emit({ type: 'Closed' })` names its type outright. `emit(({ event }) => ({ type: 'Registered',
 * … }))` names it only when called, so the function is called once with placeholder arguments
 * (a context, event and params that read as anything and compute nothing): machines here are pure,
 * and an emitter that can't run that way simply leaves its type unknown. `enqueueActions` is read
 * the same way, recording what it would `enqueue.emit`. Named actions resolve through the
 * machine's implementations, as the aggregate analysis does.
 *
 * @module
 */

/** An action as XState keeps it on a transition: a function, a name, or `{ type, params }`. */
type Action = unknown;

/** What reading a transition's actions found. */
export interface EmittedTypes {
  /** True when an action emits, or may emit (`enqueueActions`). */
  readonly emits: boolean;
  /** The emitted types found, in action order, without duplicates. */
  readonly types: readonly string[];
}

/** Reads the emitted event types of `actions`; `implementations` resolves named actions. */
export function emittedTypes(
  actions: readonly Action[],
  implementations: Readonly<Record<string, unknown>>,
): EmittedTypes {
  const types: string[] = [];
  let emits = false;
  const add = (type: string | undefined): void => {
    if (type !== undefined && !types.includes(type)) types.push(type);
  };
  for (const action of actions) {
    const found = readAction(action, implementations, 0);
    if (found === undefined) continue;
    emits = true;
    for (const type of found) add(type);
  }
  return { emits, types };
}

/**
 * The types an action emits (possibly none known), or `undefined` when it doesn't emit. `params`
 * are those of the named reference that led here, for the implementation's own params argument.
 */
function readAction(
  action: Action,
  implementations: Readonly<Record<string, unknown>>,
  depth: number,
  params?: unknown,
): readonly string[] | undefined {
  if (typeof action === 'function') {
    const { type, event, collect } = action as {
      type?: unknown;
      event?: unknown;
      collect?: unknown;
    };
    if (type === 'xstate.emit') {
      const emitted = typeOfEvent(resolve(event, params));
      return emitted === undefined ? [] : [emitted];
    }
    if (type === 'xstate.enqueueActions') return enqueuedEmits(collect, implementations, depth);
    return undefined;
  }
  const named =
    typeof action === 'string'
      ? { type: action, params: undefined }
      : typeof action === 'object' && action !== null
        ? (action as { type?: unknown; params?: unknown })
        : undefined;
  const type = named?.type;
  if (typeof type !== 'string' || depth >= 8 || !Object.hasOwn(implementations, type)) {
    return undefined;
  }
  return readAction(implementations[type], implementations, depth + 1, named?.params);
}

function resolve(value: unknown, params: unknown): unknown {
  if (typeof value !== 'function') return value;
  try {
    const actualParams = typeof params === 'function' ? params(placeholderArgs()) : params;
    return value(placeholderArgs(), actualParams ?? placeholder());
  } catch {
    return undefined;
  }
}

function typeOfEvent(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { type } = event as { type?: unknown };
  return typeof type === 'string' ? type : undefined;
}

function enqueuedEmits(
  collect: unknown,
  implementations: Readonly<Record<string, unknown>>,
  depth: number,
): readonly string[] {
  if (typeof collect !== 'function') return [];
  const found: string[] = [];
  const record = (action: unknown): void => {
    const emitted = readAction(action, implementations, depth + 1);
    if (emitted !== undefined) found.push(...emitted);
  };
  const enqueue = Object.assign((action: unknown) => record(action), {
    emit: (event: unknown) => {
      const emitted = typeOfEvent(resolve(event, undefined));
      if (emitted !== undefined) found.push(emitted);
    },
    assign: noop,
    cancel: noop,
    log: noop,
    raise: noop,
    sendParent: noop,
    sendTo: noop,
    spawnChild: noop,
    stopChild: noop,
  });
  try {
    collect({ ...placeholderArgs(), enqueue, check: () => true }, placeholder());
  } catch {
    // What was recorded before the failure still counts.
  }
  return found;
}

const noop = (): void => {};

function placeholderArgs(): Record<string, unknown> {
  return {
    context: placeholder(),
    event: placeholder(),
    self: placeholder(),
    system: placeholder(),
  };
}

/**
 * A value that reads as anything: every property is another placeholder, calling it returns one,
 * it converts to `''` or `0`, iterates as empty and is not a promise.
 */
function placeholder(): unknown {
  const target = function placeholderValue(): void {};
  const proxy: unknown = new Proxy(target, {
    get(_target, property) {
      if (property === Symbol.toPrimitive) {
        return (hint: string) => (hint === 'number' ? 0 : '');
      }
      if (property === Symbol.iterator) return function* empty() {};
      if (property === 'then' || typeof property === 'symbol') return undefined;
      if (property === 'toString' || property === 'valueOf') return () => '';
      if (property === 'toJSON') return () => null;
      return placeholder();
    },
    apply: () => placeholder(),
    construct: () => placeholder() as object,
    ownKeys: () => Reflect.ownKeys(target),
    getOwnPropertyDescriptor: (_target, property) =>
      Reflect.getOwnPropertyDescriptor(target, property),
  });
  return proxy;
}
