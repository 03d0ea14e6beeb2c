import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest 5's reporter calls Map.groupBy (Node 21+); give Node 20 the same function.
if (typeof (Map as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    configurable: true,
    writable: true,
    value<K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // README examples import the package by name; run them against the sources.
    alias: [
      { find: /^eventsourcing-kurrentdb$/, replacement: src('index.ts') },
      {
        find: /^eventsourcing-kurrentdb\/(memory|kurrentdb|sqlite|postgres)$/,
        replacement: src('adapters/$1/index.ts'),
      },
      { find: /^eventsourcing-kurrentdb\/inspect$/, replacement: src('inspect/index.ts') },
      {
        find: /^eventsourcing-kurrentdb\/machines$/,
        replacement: fileURLToPath(new URL('./machines/index.ts', import.meta.url)),
      },
      { find: /^eventsourcing-kurrentdb\/testing$/, replacement: src('testing/index.ts') },
      {
        find: /^eventsourcing-kurrentdb\/testing\/contract$/,
        replacement: src('testing/contract/index.ts'),
      },
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
