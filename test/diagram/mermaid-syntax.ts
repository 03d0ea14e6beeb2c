/**
 * A strict reader of the subset of Mermaid `stateDiagram-v2` that `toMermaid` writes. It throws on
 * any line outside that subset and on anything Mermaid's state diagram lexer would misread (ids
 * it can't take, `:` `;` `"` `{` `}` `%` `#` in labels other than entity codes, the
 * `direction TB` phrase), and returns the diagram's structure for assertions.
 */

/** One edge; `labels` are its `<br>`-separated label lines, entity codes decoded. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly labels: readonly string[];
}

export interface ParsedDiagram {
  readonly direction: string | undefined;
  /** Every state id mentioned, in order of first mention. */
  readonly ids: readonly string[];
  /** Declared labels (`state "label" as id`), decoded. */
  readonly labels: ReadonlyMap<string, string>;
  /** The composite state whose document mentions a state; absent for the top level. */
  readonly parents: ReadonlyMap<string, string>;
  readonly composites: ReadonlySet<string>;
  /** `[*] --> id` per document (`''` for the top level). */
  readonly initials: ReadonlyMap<string, readonly string[]>;
  /** `id --> [*]` per document. */
  readonly finals: ReadonlyMap<string, readonly string[]>;
  /** The regions of each composite state: 1 + the number of `--` lines in it. */
  readonly regions: ReadonlyMap<string, number>;
  readonly classes: ReadonlyMap<string, string>;
  /** The transition edges (not the `[*]` ones), in order. */
  readonly edges: readonly Edge[];
}

const ID = '[A-Za-z_][A-Za-z0-9_]*';
const LABEL_CHAR = /^(?:[^\s:;"{}%#<>&$`\\]|#\d+;| )+$/u;

function checkId(id: string, line: string): string {
  if (!new RegExp(`^${ID}$`).test(id)) throw new Error(`bad id '${id}' in: ${line}`);
  if (/^default/i.test(id)) throw new Error(`id '${id}' starts with the keyword default: ${line}`);
  if (/_(start|end)$/.test(id) || id === 'root') {
    throw new Error(`id '${id}' may collide with an id Mermaid generates: ${line}`);
  }
  return id;
}

/** Decodes `#NN;` entity codes after checking the label is safe for Mermaid. */
export function checkLabel(label: string, line: string): string {
  if (label === '' || label !== label.trim() || !LABEL_CHAR.test(label)) {
    throw new Error(`bad label '${label}' in: ${line}`);
  }
  if (/direction\s+(tb|bt|lr|rl)/i.test(label)) {
    throw new Error(`label holds a direction statement: ${line}`);
  }
  return label.replace(/#(\d+);/g, (_match, code: string) => String.fromCodePoint(Number(code)));
}

/** Parses `text`, throwing on anything outside the subset. */
export function parseMermaid(text: string): ParsedDiagram {
  const lines = text.split('\n');
  if (lines[0] !== 'stateDiagram-v2') throw new Error(`bad header: ${lines[0]}`);
  if (text.endsWith('\n')) throw new Error('trailing newline');
  let direction: string | undefined;
  const ids: string[] = [];
  const labels = new Map<string, string>();
  const parents = new Map<string, string>();
  const composites = new Set<string>();
  const initials = new Map<string, string[]>();
  const finals = new Map<string, string[]>();
  const regions = new Map<string, number>();
  const classes = new Map<string, string>();
  const edges: Edge[] = [];
  const scopes: string[] = [];
  const mention = (id: string): void => {
    if (!ids.includes(id)) ids.push(id);
    const scope = scopes.at(-1);
    if (scope !== undefined) {
      const previous = parents.get(id);
      if (previous !== undefined && previous !== scope) {
        throw new Error(`'${id}' is mentioned in two composite states: ${previous}, ${scope}`);
      }
      parents.set(id, scope);
    }
  };
  const push = (map: Map<string, string[]>, id: string): void => {
    const key = scopes.at(-1) ?? '';
    map.set(key, [...(map.get(key) ?? []), id]);
  };
  const rules: [RegExp, (match: RegExpMatchArray, line: string, index: number) => void][] = [
    [
      /^direction (TB|BT|LR|RL)$/,
      (match, _line, index) => {
        if (index !== 0) throw new Error('direction must come first');
        direction = match[1];
      },
    ],
    [
      new RegExp(`^\\[\\*\\] --> (${ID})$`),
      (match, line) => {
        const id = checkId(match[1] as string, line);
        mention(id);
        push(initials, id);
      },
    ],
    [
      new RegExp(`^(${ID}) --> \\[\\*\\]$`),
      (match, line) => {
        const id = checkId(match[1] as string, line);
        mention(id);
        push(finals, id);
      },
    ],
    [
      new RegExp(`^(${ID}) --> (${ID}) : (.+)$`),
      (match, line) => {
        const from = checkId(match[1] as string, line);
        const to = checkId(match[2] as string, line);
        const parts = (match[3] as string).split('<br>').map((part) => checkLabel(part, line));
        mention(from);
        mention(to);
        edges.push({ from, to, labels: parts });
      },
    ],
    [
      new RegExp(`^state "([^"]+)" as (${ID})$`),
      (match, line) => {
        const id = checkId(match[2] as string, line);
        if (labels.has(id)) throw new Error(`label declared twice: ${line}`);
        labels.set(id, checkLabel(match[1] as string, line));
        mention(id);
      },
    ],
    [
      new RegExp(`^state (${ID}) \\{$`),
      (match, line) => {
        const id = checkId(match[1] as string, line);
        if (composites.has(id)) throw new Error(`composite declared twice: ${line}`);
        mention(id);
        composites.add(id);
        regions.set(id, 1);
        scopes.push(id);
      },
    ],
    [
      /^\}$/,
      (_match, _line, index) => {
        if (scopes.pop() === undefined) throw new Error(`unbalanced }: line ${index + 2}`);
      },
    ],
    [
      /^--$/,
      () => {
        const scope = scopes.at(-1);
        if (scope === undefined) throw new Error('-- outside a composite state');
        regions.set(scope, (regions.get(scope) ?? 1) + 1);
      },
    ],
    // A style class; its use is checked by the next rule.
    [/^classDef \w+ [^\n]+$/, () => {}],
    [
      new RegExp(`^class (${ID}) (\\w+)$`),
      (match, line) => {
        classes.set(checkId(match[1] as string, line), match[2] as string);
      },
    ],
    [new RegExp(`^(${ID})$`), (match, line) => mention(checkId(match[1] as string, line))],
  ];
  lines.slice(1).forEach((raw, index) => {
    const expectedIndent = '  '.repeat(scopes.length + (raw.trim() === '}' ? 0 : 1));
    if (!raw.startsWith(expectedIndent) || raw[expectedIndent.length] === ' ') {
      throw new Error(`bad indentation on line ${index + 2}: '${raw}'`);
    }
    const line = raw.trim();
    for (const [pattern, handle] of rules) {
      const match = line.match(pattern);
      if (match !== null) {
        handle(match, line, index);
        return;
      }
    }
    throw new Error(`not in the subset: line ${index + 2}: '${raw}'`);
  });
  if (scopes.length > 0) throw new Error(`unclosed composite state ${scopes.at(-1)}`);
  return {
    direction,
    ids,
    labels,
    parents,
    composites,
    initials,
    finals,
    regions,
    classes,
    edges,
  };
}

/** The edges one label line each: `from --> to : line`, in order. */
export function edgeLines(diagram: ParsedDiagram): string[] {
  return diagram.edges.flatMap(({ from, to, labels }) =>
    labels.map((label) => `${from} --> ${to} : ${label}`),
  );
}

/** The state a drawn id shows: its declared label, or the id itself. */
export function shownName(diagram: ParsedDiagram, id: string): string {
  return diagram.labels.get(id) ?? id;
}
