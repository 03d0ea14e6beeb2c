/**
 * Loads `<module>#<export>` references for CLI commands: a module (a path to an ES module file, or
 * a package specifier) and the name of one of its exports.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '../core/errors.js';

/** A parsed `<module>#<export>`. */
export interface ExportReference {
  readonly module: string;
  readonly exportName: string;
}

/**
 * Splits `<module>#<export>` at its last `#`.
 *
 * @throws ConfigurationError when there is no `#`, or nothing before or after it.
 */
export function parseExportReference(text: string): ExportReference {
  const hash = text.lastIndexOf('#');
  const module = hash < 0 ? text : text.slice(0, hash);
  const exportName = hash < 0 ? '' : text.slice(hash + 1);
  if (hash < 0 || module === '' || exportName === '') {
    const example = `${module === '' ? 'dist/machines/index.js' : module}#Dog`;
    throw new ConfigurationError(
      `'${text}' is not <module>#<export>: name a module and one of its exports, e.g. '${example}'`,
    );
  }
  return { module, exportName };
}

/** Whether `specifier` names a file rather than a package. */
function isPath(specifier: string, cwd: string): boolean {
  return (
    isAbsolute(specifier) ||
    /^\.\.?([/\\]|$)/.test(specifier) ||
    existsSync(resolve(cwd, specifier))
  );
}

function cannotImport(module: string, error: unknown): ConfigurationError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const hint = /\.[cm]?tsx?$/.test(module)
    ? ' (compile TypeScript first and pass the compiled .js file)'
    : '';
  return new ConfigurationError(`cannot import '${module}': ${reason}${hint}`, { cause: error });
}

const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

/**
 * Imports `module`: a file path (absolute, or relative to `cwd`), a `file:` URL, or a package
 * specifier (resolved as an ES module import, then from `cwd`'s `node_modules`).
 *
 * @throws ConfigurationError naming the module when it can't be found or fails to load.
 */
export async function importModule(
  module: string,
  cwd: string = process.cwd(),
): Promise<Record<string, unknown>> {
  if (module.startsWith('file:') || isPath(module, cwd)) {
    const url = module.startsWith('file:') ? module : pathToFileURL(resolve(cwd, module)).href;
    if (!module.startsWith('file:') && !existsSync(resolve(cwd, module))) {
      throw cannotImport(module, new Error(`no such file: ${resolve(cwd, module)}`));
    }
    try {
      return (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw cannotImport(module, error);
    }
  }
  try {
    return (await import(module)) as Record<string, unknown>;
  } catch (error) {
    if (!NOT_FOUND.has((error as { code?: string }).code ?? '')) throw cannotImport(module, error);
    // Not visible from here: resolve it from the working directory's packages instead.
    let path: string;
    try {
      path = createRequire(join(cwd, 'package.json')).resolve(module);
    } catch {
      throw cannotImport(module, error);
    }
    try {
      return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    } catch (fallbackError) {
      throw cannotImport(module, fallbackError);
    }
  }
}

/**
 * The export `exportName` of a loaded module (a CommonJS module's `default` object counts too), as
 * `{ value }`; `undefined` when there is no such export.
 */
export function findExport(
  namespace: Record<string, unknown>,
  exportName: string,
): { readonly value: unknown } | undefined {
  if (Object.hasOwn(namespace, exportName)) return { value: namespace[exportName] };
  const fallback = namespace.default;
  if (typeof fallback === 'object' && fallback !== null && Object.hasOwn(fallback, exportName)) {
    return { value: (fallback as Record<string, unknown>)[exportName] };
  }
  return undefined;
}
