import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { jsonEvent, KurrentDBClient, START } from '@kurrent/kurrentdb-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mainJs, root } from '../support/built-cli.js';

interface Run {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
}

function runCli(args: readonly string[]): Run {
  const child = spawn(process.execPath, [mainJs, ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function firstLine(run: Run): Promise<string> {
  return (await firstLines(run, 1))[0] as string;
}

async function firstLines(run: Run, count: number): Promise<string[]> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const lines = run.stdout().split('\n');
    if (lines.length > count) return lines.slice(0, count);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not enough output; stderr: ${run.stderr()}`);
}

/** Appends one event through `uri` with the official client and reads it back (Rust bridge). */
async function expectRoundTrip(uri: string): Promise<void> {
  const client = KurrentDBClient.connectionString(uri);
  try {
    const stream = `cli-${randomUUID()}`;
    await client.appendToStream(stream, [jsonEvent({ type: 'Pinged', data: { n: 1 } })]);
    const types: string[] = [];
    for await (const resolved of client.readStream(stream, { fromRevision: START })) {
      types.push(resolved.event?.type ?? '');
    }
    expect(types).toEqual(['Pinged']);
  } finally {
    await client.dispose();
  }
}

describe('eventsourcing-kurrentdb test-server', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 60_000);

  it('prints a connection string the official client can use, and stops with exit 0 on SIGTERM', async () => {
    const run = runCli(['test-server', '--port', '0']);
    try {
      const uri = await firstLine(run);
      expect(uri).toMatch(/^kurrentdb:\/\/admin:changeit@127\.0\.0\.1:\d+\?tls=false$/);
      await expectRoundTrip(uri);
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('stops with exit 0 on SIGINT and honours --host and --port=', async () => {
    const run = runCli(['test-server', '--host=127.0.0.1', '--port=0']);
    try {
      expect(await firstLine(run)).toMatch(/@127\.0\.0\.1:\d+\?tls=false$/);
      run.child.kill('SIGINT');
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('with --cluster 3, prints a discover and a multi-host connection string both clients can use', async () => {
    const run = runCli(['test-server', '--cluster', '3', '--port', '0']);
    try {
      const [discover = '', multiHost = ''] = await firstLines(run, 2);
      expect(discover).toMatch(
        /^kurrentdb\+discover:\/\/admin:changeit@127\.0\.0\.1:\d+\?tls=false$/,
      );
      expect(multiHost).toMatch(
        /^kurrentdb:\/\/admin:changeit@127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\?tls=false$/,
      );
      for (const uri of [discover, multiHost]) await expectRoundTrip(uri);
      // Written after the connection strings, on stderr: checked once they were used.
      expect(run.stderr()).toMatch(/node 0 leader kurrentdb:\/\//);
      run.child.kill('SIGTERM');
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('rejects a bad cluster size with exit code 2', async () => {
    const run = runCli(['test-server', '--cluster', '0']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain("'0' is not a valid cluster size (1-9)");
  });

  it('rejects an unknown command with exit code 2 and the usage', async () => {
    const run = runCli(['no-such-command']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain("unknown command 'no-such-command'");
    expect(run.stderr()).toContain('test-server [--port 2113] [--host 127.0.0.1]');
  });

  it('rejects a bad flag or value with exit code 2', async () => {
    const unknownFlag = runCli(['test-server', '--verbose', 'yes']);
    expect(await unknownFlag.exit).toBe(2);
    expect(unknownFlag.stderr()).toContain("unknown flag '--verbose'");
    const badPort = runCli(['test-server', '--port', '70000']);
    expect(await badPort.exit).toBe(2);
    expect(badPort.stderr()).toContain("'70000' is not a valid port");
    const missingValue = runCli(['test-server', '--port']);
    expect(await missingValue.exit).toBe(2);
    expect(missingValue.stderr()).toContain("flag '--port' needs a value");
  });

  it('prints the usage with exit 2 when no command is given', async () => {
    const run = runCli([]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain('usage: eventsourcing-kurrentdb <command>');
  });
});
