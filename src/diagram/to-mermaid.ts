/**
 * `toMermaid(Dog)`: an aggregate definition or XState v5 machine as Mermaid `stateDiagram-v2`
 * text, for pictures that need no browser and no service (paste it into any Mermaid renderer,
 * a Markdown file on a forge, or docs).
 *
 * The notation:
 * - Every state is drawn; compound states as composite states with their own `[*] -->` initial
 *   state, parallel states as composite states whose regions are separated by `--`, final states
 *   with a `--> [*]` edge, history states as `H` (shallow) or `H*` (deep).
 * - Every transition is an edge labelled with its event type, then its guard in brackets:
 *   `withdraw [hasFunds]` (an inline guard shows as `[guard]`, a combined one as
 *   `[and(a, not(b))]`). Eventless transitions read `always`, delayed ones `after 1000ms`, a
 *   state's `onDone` reads `onDone`, an invoked actor's `onDone(id)` / `onError(id)`.
 * - A **command** is a self-transition labelled `register ⟶ emits Registered` (the domain events
 *   it emits; `?` when they can't be told): it decides and changes nothing. A **domain event** is
 *   labelled with its type alone: the transitions that move to another state are domain events
 *   (or loop, when one only updates context). In a plain machine, any transition that emits is
 *   labelled like a command.
 * - The root's own transitions (the machine's `on`, `always`, …) start from a dashed pseudo-state
 *   `any state`: they apply in every state that doesn't handle the event itself.
 * - Mermaid draws one self-loop per state, so the self-loops of a state are one edge whose label
 *   has a line (`<br>`) per transition.
 * - The root is drawn as a composite state named by the machine's id only when it must be: when
 *   it is parallel, is a transition's target, or has no child states.
 *
 * State ids are made from the state keys (their paths where keys repeat), reduced to
 * `[A-Za-z0-9_]`; a state whose key can't be its id is declared as `state "key" as id`. Labels
 * keep letters, digits, spaces and `_.,()[]/+=!?'*@-`; any other character is written as a Mermaid
 * entity code (`#58;` for `:`). The output is deterministic: the same machine gives the same text.
 *
 * @module
 */
import { ProgrammingError } from '../core/errors.js';
import { describeValue } from '../core/well-formed.js';
import {
  type DiagramSource,
  type GraphState,
  type GraphTransition,
  isDiagramSource,
  type MachineGraph,
  readMachine,
} from './machine-graph.js';

/** Options of `toMermaid`. */
export interface ToMermaidOptions {
  /** The diagram's direction (`direction LR`); default: Mermaid's (top to bottom). */
  readonly direction?: 'TB' | 'BT' | 'LR' | 'RL';
}

const DIRECTIONS = ['TB', 'BT', 'LR', 'RL'] as const;
const INDENT = '  ';
/** The line break inside an edge label. */
const LINE_BREAK = '<br>';
/** The pseudo-state the root's own transitions (its `on`, `always`, …) start from. */
const ANY_STATE_ID = 'any_state';
const ANY_STATE_LABEL = 'any state';
const ANY_STATE_CLASS = 'anyState';
const ANY_STATE_STYLE = 'fill:none,stroke-dasharray:4 4';
/** The arrow between a command and the domain events it emits. */
const EMITS = '⟶ emits';

/**
 * Mermaid `stateDiagram-v2` text of an aggregate definition or a plain XState v5 machine, without a
 * trailing newline. See the module documentation for the notation.
 *
 * @throws ProgrammingError when `source` is neither, or the direction is unknown.
 *
 * @example
 * ```ts
 * console.log(toMermaid(Dog));
 * // stateDiagram-v2
 * //   [*] --> unregistered
 * //   unregistered --> unregistered : register ⟶ emits Registered
 * //   unregistered --> registered : Registered
 * //   …
 * ```
 */
export function toMermaid(source: DiagramSource, options: ToMermaidOptions = {}): string {
  if (!isDiagramSource(source)) {
    throw new ProgrammingError(
      `toMermaid takes an aggregate definition or an XState v5 machine, got ${describeValue(source)}`,
    );
  }
  const { direction } = options;
  if (direction !== undefined && !DIRECTIONS.includes(direction)) {
    throw new ProgrammingError(
      `toMermaid: direction must be one of ${DIRECTIONS.join(', ')}, got ${describeValue(direction)}`,
    );
  }
  return new MermaidWriter(readMachine(source)).write(direction);
}

class MermaidWriter {
  private readonly lines: string[] = [];
  private readonly ids: ReadonlyMap<GraphState, string>;
  /** States with at least one edge (as source or target). */
  private readonly connected = new Set<GraphState>();
  /** Whether the root is drawn as a state of its own. */
  private readonly rootDrawn: boolean;
  /** The id of the "any state" the root's own transitions start from, when it has some. */
  private readonly anyState: string | undefined;

  constructor(private readonly graph: MachineGraph) {
    const { root, transitions } = graph;
    const hasChildren = root.children.length > 0;
    this.rootDrawn =
      root.kind === 'parallel' ||
      !hasChildren ||
      transitions.some((transition) => transition.targets.includes(root));
    const rootHandles = hasChildren && transitions.some(({ source }) => source === root);
    const { ids, anyState } = assignIds(graph, this.rootDrawn, rootHandles);
    this.ids = ids;
    this.anyState = anyState;
    for (const transition of transitions) {
      this.connected.add(transition.source);
      for (const target of transition.targets) this.connected.add(target);
    }
  }

  write(direction: ToMermaidOptions['direction']): string {
    const { root } = this.graph;
    this.lines.push('stateDiagram-v2');
    if (direction !== undefined) this.line(1, `direction ${direction}`);
    if (this.rootDrawn) {
      this.line(1, `[*] --> ${this.id(root)}`);
      this.declare(root, 1, false);
    } else {
      this.body(root, 1, true);
    }
    if (this.anyState !== undefined) {
      this.line(1, `state "${ANY_STATE_LABEL}" as ${this.anyState}`);
      this.line(1, `classDef ${ANY_STATE_CLASS} ${ANY_STATE_STYLE}`);
      this.line(1, `class ${this.anyState} ${ANY_STATE_CLASS}`);
    }
    for (const [source, target, labels] of this.edges()) {
      this.line(1, `${source} --> ${target} : ${labels.join(LINE_BREAK)}`);
    }
    return this.lines.join('\n');
  }

  /**
   * The edges in transition order. Mermaid draws one self-loop per state (a second one replaces
   * the first), so the self-loops of a state become one edge with a label line per transition.
   */
  private edges(): [source: string, target: string, labels: string[]][] {
    const edges: [string, string, string[]][] = [];
    const selfLoops = new Map<string, string[]>();
    for (const transition of this.graph.transitions) {
      const label = transitionLabel(transition);
      const source = this.sourceId(transition.source);
      // A targetless transition stays where it is: a self-loop (on "any state" for the root's).
      const targets =
        transition.targets.length > 0 ? transition.targets.map(this.id, this) : [source];
      for (const target of targets) {
        if (target !== source) {
          edges.push([source, target, [label]]);
          continue;
        }
        const labels = selfLoops.get(source);
        if (labels !== undefined) labels.push(label);
        else {
          const first = [label];
          selfLoops.set(source, first);
          edges.push([source, target, first]);
        }
      }
    }
    return edges;
  }

  /** Where a transition's edge starts: the root's own transitions start from "any state". */
  private sourceId(state: GraphState): string {
    return state === this.graph.root && this.anyState !== undefined
      ? this.anyState
      : this.id(state);
  }

  private line(level: number, text: string): void {
    this.lines.push(`${INDENT.repeat(level)}${text}`);
  }

  private id(state: GraphState): string {
    return this.ids.get(state) as string;
  }

  /** The label a state shows, when its id can't show it. */
  private label(state: GraphState): string | undefined {
    if (state.kind === 'history') return state.deep ? 'H*' : 'H';
    return this.id(state) === state.key ? undefined : state.key;
  }

  /**
   * Declares `state` inside its parent's document. Mermaid places a state in the composite state
   * whose document mentions it, so every state inside a composite is mentioned there; at the top
   * level a plain state needs a line only for a label or when no edge mentions it.
   */
  private declare(state: GraphState, level: number, topLevel: boolean): void {
    const id = this.id(state);
    const label = this.label(state);
    if (label !== undefined) this.line(level, `state "${escapeLabel(label)}" as ${id}`);
    if (state.children.length > 0) {
      this.line(level, `state ${id} {`);
      this.body(state, level + 1, false);
      this.line(level, '}');
    } else if (label === undefined && (!topLevel || !this.mentioned(state))) {
      this.line(level, id);
    }
  }

  /** Whether a line other than a declaration mentions `state` in its parent's document. */
  private mentioned(state: GraphState): boolean {
    return (
      this.connected.has(state) ||
      state.kind === 'final' ||
      (state.parent?.initial.includes(state) ?? false)
    );
  }

  /** The document of a composite state (or of the whole diagram): initial, children, finals. */
  private body(state: GraphState, level: number, topLevel: boolean): void {
    if (state.kind === 'parallel') {
      state.children.forEach((region, index) => {
        if (index > 0) this.line(level, '--');
        this.declare(region, level, false);
      });
      return;
    }
    for (const initial of state.initial) this.line(level, `[*] --> ${this.id(initial)}`);
    for (const child of state.children) {
      const mentionedHere = child.kind === 'final' || state.initial.includes(child);
      if (child.children.length > 0 || this.label(child) !== undefined || !mentionedHere) {
        this.declare(child, level, topLevel);
      }
    }
    for (const child of state.children) {
      if (child.kind === 'final') this.line(level, `${this.id(child)} --> [*]`);
    }
  }
}

/** `event [guard]`, then `⟶ emits A, B` for a command. */
function transitionLabel(transition: GraphTransition): string {
  const { trigger, guard, role, emits } = transition;
  let text: string;
  switch (trigger.kind) {
    case 'event':
      text = escapeLabel(trigger.type);
      break;
    case 'always':
      text = 'always';
      break;
    case 'after':
      text =
        typeof trigger.delay === 'number'
          ? `after ${trigger.delay}ms`
          : `after ${escapeLabel(trigger.delay)}`;
      break;
    case 'done':
      text = 'onDone';
      break;
    case 'invoke': {
      const name = { done: 'onDone', error: 'onError', snapshot: 'onSnapshot' }[trigger.outcome];
      text = `${name}(${escapeLabel(trigger.id)})`;
      break;
    }
  }
  if (guard !== undefined) text += ` [${escapeLabel(guard)}]`;
  if (role === 'command' || emits.length > 0) {
    text += ` ${EMITS} ${emits.length > 0 ? emits.map(escapeLabel).join(', ') : '?'}`;
  }
  return text;
}

/** Characters a label keeps as they are; any other becomes a Mermaid entity code (`#58;`). */
const SAFE = /[\p{L}\p{N} _.,()[\]/+=!?'*@-]/u;

/**
 * Escapes text for a Mermaid transition label or quoted state label. Besides the characters
 * Mermaid's grammar reserves (`:`, `;`, `"`, `#`, `%`, `{`, `}`, newlines), this covers HTML
 * (`<`, `>`, `&`), math and markdown delimiters (`$`, backticks), and the one phrase the state
 * diagram lexer takes anywhere on a line, `direction TB` (and `BT`, `LR`, `RL`).
 */
export function escapeLabel(text: string): string {
  let escaped = '';
  for (const char of text) {
    escaped += SAFE.test(char) ? char : `#${char.codePointAt(0)};`;
  }
  return escaped.replace(
    /(direction)( +)(?=tb|bt|lr|rl)/gi,
    (_match, word: string, spaces) => `${word}${'#32;'.repeat((spaces as string).length)}`,
  );
}

/** Ids a Mermaid generates itself inside composite states, which a state's id must not take. */
const GENERATED = /_(start|end)$/;

/**
 * A Mermaid id for every drawn state: the key when no other state has it, else the path joined
 * with `_`; reduced to `[A-Za-z0-9_]`, kept clear of the `default` keyword, of a leading digit and
 * of the `<id>_start` / `<id>_end` ids Mermaid generates, and made unique with `_2`, `_3`, ….
 */
function assignIds(
  graph: MachineGraph,
  rootDrawn: boolean,
  anyState: boolean,
): { ids: ReadonlyMap<GraphState, string>; anyState: string | undefined } {
  const keyCounts = new Map<string, number>();
  for (const state of graph.states) {
    if (state !== graph.root) keyCounts.set(state.key, (keyCounts.get(state.key) ?? 0) + 1);
  }
  const ids = new Map<GraphState, string>();
  const used = new Set<string>(['root', 'root_start', 'root_end']);
  const unique = (name: string): string => {
    let candidate = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (candidate === '' || /^[0-9]/.test(candidate) || /^default/i.test(candidate)) {
      candidate = `s_${candidate}`;
    }
    if (GENERATED.test(candidate)) candidate = `${candidate}_`;
    let id = candidate;
    for (let n = 2; used.has(id); n++) id = `${candidate}_${n}`;
    used.add(id);
    return id;
  };
  for (const state of graph.states) {
    if (state === graph.root && !rootDrawn) continue;
    const name =
      state === graph.root || keyCounts.get(state.key) === 1 ? state.key : state.path.join('_');
    ids.set(state, unique(name));
  }
  return { ids, anyState: anyState ? unique(ANY_STATE_ID) : undefined };
}
