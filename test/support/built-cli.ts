/**
 * The built CLI (`dist/src/cli/main.js`) for tests that run the binary: built when it is missing
 * or older than the sources (CI builds it in `npm test`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The project's root folder. */
export const root = join(import.meta.dirname, '..', '..');
/** The built CLI entry point. */
export const mainJs = join(root, 'dist', 'src', 'cli', 'main.js');

function newestSourceTime(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` when it is missing or older than `src/` and `machines/`. Type errors elsewhere
 * in the project do not stop tsc from emitting, so only a missing output fails.
 */
export function ensureBuilt(): void {
  const newest = Math.max(
    newestSourceTime(join(root, 'src')),
    newestSourceTime(join(root, 'machines')),
  );
  if (existsSync(mainJs) && statSync(mainJs).mtimeMs >= newest) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    if (!existsSync(mainJs)) throw error;
  }
}
