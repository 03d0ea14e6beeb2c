import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BankAccount, Dog } from '../../machines/index.js';
import type { CliIo } from '../../src/cli/cli-command.js';
import { COMMANDS } from '../../src/cli/commands/registry.js';
import { runCli } from '../../src/cli/run-cli.js';
import { toMermaid } from '../../src/diagram/to-mermaid.js';
import { parseMermaid } from '../diagram/mermaid-syntax.js';
import { ensureBuilt, mainJs, root } from '../support/built-cli.js';

// Inside the repository, so that the modules written here resolve `xstate` from node_modules.
const dir = join(root, '.tmp', `diagram-cli-${randomUUID()}`);

/** Runs the CLI in this process, collecting its output. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    untilSignal: () => new Promise(() => {}),
  };
  const code = await runCli(args, COMMANDS, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Writes an ES module into the temporary folder; returns its path. */
function moduleFile(name: string, source: string): string {
  const path = join(dir, name);
  writeFileSync(path, source);
  return path;
}

/** Runs the built binary. */
function runBuilt(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mainJs, ...args], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('eventsourcing-kurrentdb diagram (in process)', () => {
  it('prints the Mermaid text of a machine exported by a module file', async () => {
    const path = moduleFile(
      'toggle.mjs',
      `import { createMachine } from 'xstate';
export const answer = 42;
export const toggle = createMachine({
  id: 'toggle',
  initial: 'off',
  states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } },
});
`,
    );
    const result = await run('diagram', `${path}#toggle`);
    expect(result).toEqual({
      code: 0,
      out: ['stateDiagram-v2', '  [*] --> off', '  off --> on : flip', '  on --> off : flip'].join(
        '\n',
      ),
      err: '',
    });
    const lr = await run('diagram', '--direction', 'LR', `${path}#toggle`, '--format=mermaid');
    expect(lr.code).toBe(0);
    expect(parseMermaid(lr.out).direction).toBe('LR');
  });

  it('takes a path relative to the working directory and an aggregate definition', async () => {
    const result = await run('diagram', 'machines/index.ts#BankAccount');
    expect(result.code).toBe(0);
    expect(result.out).toBe(toMermaid(BankAccount));
  });

  it('refuses a reference without #, with exit code 2 and the usage', async () => {
    const result = await run('diagram', 'dist/machines/index.js');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      "'dist/machines/index.js' is not <module>#<export>: name a module and one of its exports, e.g. 'dist/machines/index.js#Dog'",
    );
    expect(result.err).toContain('usage: eventsourcing-kurrentdb diagram <module>#<export>');
    expect((await run('diagram', '#Dog')).code).toBe(2);
    expect((await run('diagram', 'x.js#')).code).toBe(2);
    expect((await run('diagram')).err).toContain('name what to draw as <module>#<export>');
    expect((await run('diagram', 'a.js#A', 'b.js#B')).err).toContain(
      'expected one <module>#<export>, got 2 arguments',
    );
  });

  it('refuses a module that cannot be imported, saying why', async () => {
    const missing = await run('diagram', './no/such/module.js#Dog');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot import './no/such/module.js': no such file:");
    const unknownPackage = await run('diagram', 'no-such-package-for-diagrams#Dog');
    expect(unknownPackage.code).toBe(2);
    expect(unknownPackage.err).toContain("cannot import 'no-such-package-for-diagrams'");
    const throwing = moduleFile('throws.mjs', "throw new Error('boom at load');\n");
    const failing = await run('diagram', `${throwing}#Dog`);
    expect(failing.code).toBe(2);
    expect(failing.err).toContain(`cannot import '${throwing}': boom at load`);
  });

  it('refuses an export that does not exist, naming those that can be drawn', async () => {
    const result = await run('diagram', 'machines/index.ts#Cat');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      "'machines/index.ts' has no export 'Cat' (exports that can be drawn: BankAccount, Dog, Transfer, aggregateLifecycleMachine, bankAccountMachine, dogMachine, moneyTransferMachine, projectionLifecycleMachine, transferMachine)",
    );
  });

  it('refuses an export that is neither a machine nor an aggregate definition', async () => {
    const path = moduleFile(
      'plain.mjs',
      'export const answer = 42;\nexport default { machine: 1 };\n',
    );
    const number = await run('diagram', `${path}#answer`);
    expect(number.code).toBe(2);
    expect(number.err).toContain(
      `export 'answer' of '${path}' is a number (42), not an aggregate definition (defineAggregate) or an XState v5 machine`,
    );
    const object = await run('diagram', `${path}#default`);
    expect(object.code).toBe(2);
    expect(object.err).toContain("export 'default'");
    expect(object.err).toContain('is an object, not an aggregate definition');
    expect((await run('diagram', `${path}#nothing`)).err).toContain(
      'and no export that is an aggregate definition or XState machine',
    );
  });

  it('refuses an unknown format or direction', async () => {
    const format = await run('diagram', 'machines/index.ts#Dog', '--format', 'dot');
    expect(format.code).toBe(2);
    expect(format.err).toContain("unknown format 'dot' (formats: mermaid)");
    const direction = await run('diagram', 'machines/index.ts#Dog', '--direction=UP');
    expect(direction.code).toBe(2);
    expect(direction.err).toContain("unknown direction 'UP' (directions: TB, BT, LR, RL)");
    const flag = await run('diagram', 'machines/index.ts#Dog', '--verbose', 'yes');
    expect(flag.err).toContain("unknown flag '--verbose'");
  });

  it('is listed in the usage text', async () => {
    const help = await run('--help');
    expect(help.out).toContain('diagram <module>#<export> [--format mermaid]');
  });
});

describe('eventsourcing-kurrentdb diagram (the built binary)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 120_000);

  it('prints the Dog of dist/machines/index.js#Dog', async () => {
    const result = await runBuilt('diagram', 'dist/machines/index.js#Dog');
    expect(result).toEqual({ code: 0, out: `${toMermaid(Dog)}\n`, err: '' });
  });

  it('resolves a package specifier: eventsourcing-kurrentdb/machines#BankAccount', async () => {
    const result = await runBuilt('diagram', 'eventsourcing-kurrentdb/machines#BankAccount');
    expect(result).toEqual({ code: 0, out: `${toMermaid(BankAccount)}\n`, err: '' });
  });

  it('exits with 2 and a message for a TypeScript source it cannot import', async () => {
    const path = moduleFile('machine.ts', 'export const x: number = 1;\nenum E { A }\n');
    const result = await runBuilt('diagram', `${path}#x`);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`cannot import '${path}'`);
    expect(result.err).toContain('(compile TypeScript first and pass the compiled .js file)');
  });

  it('exits with 2 for a missing export', async () => {
    const result = await runBuilt('diagram', 'dist/machines/index.js#Cat');
    expect(result.code).toBe(2);
    expect(result.err).toContain("'dist/machines/index.js' has no export 'Cat'");
  });
});
