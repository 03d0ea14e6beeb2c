/**
 * Opens a URL in the default browser, best effort: the platform's opener is spawned detached and
 * any failure (no opener, no display) is ignored.
 *
 * @module
 */

import { spawn } from 'node:child_process';

/** Asks the OS to open `url` in the default browser; never throws. */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser to open: the URL is in the inspector's `url` for a person to open.
  }
}
