/**
 * Every ```ts block of README.md runs here, in order, against the sources (the package name is
 * aliased to src/ in vitest.config.ts), so the README never drifts from the code. A block fails
 * the test by throwing, e.g. from `node:assert`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
const dir = fileURLToPath(new URL('./.generated/', import.meta.url));

describe('README examples', () => {
  mkdirSync(dir, { recursive: true });
  // "Getting started" connects with KURRENTDB_URI: point it at the harness's KurrentDB.
  process.env.KURRENTDB_URI = inject('kurrentdbUri');
  // The materialised-view example keeps a view in the harness's PostgreSQL too.
  process.env.DATABASE_URL ??= inject('databaseUrl');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((code, index) => {
    const firstLine = code.split('\n').find((line) => line.startsWith('//')) ?? '';
    it(`block ${index + 1} ${firstLine}`, async () => {
      const file = `${dir}block-${index + 1}.ts`;
      writeFileSync(file, code);
      await import(pathToFileURL(file).href);
    });
  });
});
