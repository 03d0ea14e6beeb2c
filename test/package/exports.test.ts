/**
 * The package's public surface: every `exports` entry and the `bin` point at a built file whose
 * source exists, and each subpath loads with the names the README documents.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  type: string;
  engines: { node: string };
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
};

/** `./dist/src/x/index.js` → `src/x/index.ts` */
const sourceOf = (built: string) =>
  built.replace(/^\.?\/?dist\//, '').replace(/\.(d\.ts|js)$/, '.ts');

describe('package.json', () => {
  it('is an ESM package for Node 20 and later', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.engines.node).toBe('>=20');
  });

  it.each(Object.entries(pkg.exports).filter(([, target]) => typeof target !== 'string'))(
    'export %s has types first and a source file',
    (_, target) => {
      if (typeof target === 'string') throw new Error('unreachable');
      expect(Object.keys(target)[0]).toBe('types');
      expect(sourceOf(target.types)).toBe(sourceOf(target.default));
      expect(existsSync(new URL(sourceOf(target.default), root))).toBe(true);
    },
  );

  it('has a bin whose source starts with a node shebang', () => {
    const bin = pkg.bin['eventsourcing-kurrentdb'] as string;
    const source = readFileSync(new URL(sourceOf(bin), root), 'utf8');
    expect(source.startsWith('#!/usr/bin/env node')).toBe(true);
  });
});

describe('subpaths', () => {
  it('load with their documented names', async () => {
    const core = await import('eventsourcing-kurrentdb');
    const memory = await import('eventsourcing-kurrentdb/memory');
    const kurrentdb = await import('eventsourcing-kurrentdb/kurrentdb');
    const testing = await import('eventsourcing-kurrentdb/testing');
    const contract = await import('eventsourcing-kurrentdb/testing/contract');
    const machines = await import('eventsourcing-kurrentdb/machines');
    const inspect = await import('eventsourcing-kurrentdb/inspect');
    const sqlite = await import('eventsourcing-kurrentdb/sqlite');
    const postgres = await import('eventsourcing-kurrentdb/postgres');
    expect(sqlite.SQLiteTrackingRecorder.persistenceModule).toBe('sqlite');
    expect(postgres.PostgresTrackingRecorder.persistenceModule).toBe('postgres');
    expect(typeof core.ProjectionRunner).toBe('function');
    expect(typeof core.Projection).toBe('function');
    expect(typeof core.pullBatches).toBe('function');
    expect(typeof core.afterCommit).toBe('function');
    expect(typeof core.Application).toBe('function');
    expect(typeof core.defineAggregate).toBe('function');
    expect(machines.Dog.name).toBe('Dog');
    expect(machines.BankAccount.name).toBe('BankAccount');
    expect(typeof inspect.startInspector).toBe('function');
    expect(typeof testing.given).toBe('function');
    expect(typeof core.createPersistence).toBe('function');
    expect(typeof core.StoppableSubscription).toBe('function');
    expect(new core.IntegrityError('x').code).toBe('INTEGRITY');
    expect(typeof memory.MemoryApplicationRecorder).toBe('function');
    expect(typeof kurrentdb.createKurrentDBRecorders).toBe('function');
    expect(typeof testing.startKurrentDBTestServer).toBe('function');
    expect(typeof testing.startKurrentDBHarness).toBe('function');
    expect(typeof contract.describeApplicationRecorderContract).toBe('function');
  });
});
