import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // README examples import the package by name; run them against the sources.
    alias: [
      { find: /^eventsourcing-kurrentdb$/, replacement: src('index.ts') },
      {
        find: /^eventsourcing-kurrentdb\/(memory|kurrentdb)$/,
        replacement: src('adapters/$1/index.ts'),
      },
      { find: /^eventsourcing-kurrentdb\/testing$/, replacement: src('testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'machines/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
