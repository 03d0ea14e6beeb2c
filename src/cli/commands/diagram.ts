/**
 * `eventsourcing-kurrentdb diagram <module>#<export> [--format mermaid] [--direction LR]`: prints
 * the state diagram of an aggregate definition or XState machine exported by an ES module (a file
 * path, e.g. `dist/machines/index.js#Dog`, or a package specifier, e.g.
 * `eventsourcing-kurrentdb/machines#BankAccount`). Mermaid is the one format so far.
 *
 * @module
 */
import { ConfigurationError } from '../../core/errors.js';
import { describeValue } from '../../core/well-formed.js';
import { isDiagramSource } from '../../diagram/machine-graph.js';
import { type ToMermaidOptions, toMermaid } from '../../diagram/to-mermaid.js';
import type { CliCommand } from '../cli-command.js';
import { findExport, importModule, parseExportReference } from '../load-export.js';
import { parseFlags } from '../parse-flags.js';

/** The diagram formats, by `--format` name. */
export const DIAGRAM_FORMATS = {
  mermaid: toMermaid,
} as const satisfies Record<
  string,
  (source: Parameters<typeof toMermaid>[0], options: ToMermaidOptions) => string
>;

const DIRECTIONS: readonly string[] = ['TB', 'BT', 'LR', 'RL'];

/** Separates the positional arguments from the `--flag value` / `--flag=value` pairs. */
function splitArguments(args: readonly string[]): { positionals: string[]; flags: string[] } {
  const positionals: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    flags.push(arg);
    const next = args[i + 1];
    if (!arg.includes('=') && next !== undefined) {
      flags.push(next);
      i++;
    }
  }
  return { positionals, flags };
}

/** The `diagram` command. */
export const diagramCommand: CliCommand = {
  name: 'diagram',
  summary:
    'print the state diagram of an aggregate definition or XState machine exported by a module',
  usage: 'diagram <module>#<export> [--format mermaid] [--direction TB|BT|LR|RL]',
  async run(args, io) {
    const { positionals, flags: flagArgs } = splitArguments(args);
    const flags = parseFlags(flagArgs, ['format', 'direction']);
    const format = flags.get('format') ?? 'mermaid';
    if (!Object.hasOwn(DIAGRAM_FORMATS, format)) {
      throw new ConfigurationError(
        `unknown format '${format}' (formats: ${Object.keys(DIAGRAM_FORMATS).join(', ')})`,
      );
    }
    const direction = flags.get('direction');
    if (direction !== undefined && !DIRECTIONS.includes(direction)) {
      throw new ConfigurationError(
        `unknown direction '${direction}' (directions: ${DIRECTIONS.join(', ')})`,
      );
    }
    if (positionals.length !== 1) {
      throw new ConfigurationError(
        positionals.length === 0
          ? 'name what to draw as <module>#<export>, e.g. dist/machines/index.js#Dog'
          : `expected one <module>#<export>, got ${positionals.length} arguments`,
      );
    }
    const { module, exportName } = parseExportReference(positionals[0] as string);
    const namespace = await importModule(module);
    const found = findExport(namespace, exportName);
    if (found === undefined) {
      const drawable = Object.keys(namespace)
        .filter((name) => isDiagramSource(namespace[name]))
        .sort();
      throw new ConfigurationError(
        `'${module}' has no export '${exportName}'${
          drawable.length > 0
            ? ` (exports that can be drawn: ${drawable.join(', ')})`
            : ' (and no export that is an aggregate definition or XState machine)'
        }`,
      );
    }
    if (!isDiagramSource(found.value)) {
      throw new ConfigurationError(
        `export '${exportName}' of '${module}' is ${describeValue(found.value)}, not an aggregate definition (defineAggregate) or an XState v5 machine`,
      );
    }
    const render = DIAGRAM_FORMATS[format as keyof typeof DIAGRAM_FORMATS];
    const options: ToMermaidOptions =
      direction === undefined
        ? {}
        : { direction: direction as NonNullable<ToMermaidOptions['direction']> };
    io.out(render(found.value, options));
    return 0;
  },
};
