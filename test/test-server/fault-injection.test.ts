import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { status } from '@grpc/grpc-js';
import { jsonEvent, KurrentDBClient, START } from '@kurrent/kurrentdb-client';
import { describe, expect, it } from 'vitest';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../src/testing/test-server/start-test-server.js';

async function readTypes(client: KurrentDBClient, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const resolved of client.readStream(stream, { fromRevision: START })) {
    types.push(resolved.event?.type ?? '?');
  }
  return types;
}

/** Runs `test` against a server of its own and an official client, then disposes both. */
async function withServer(
  test: (server: KurrentDBTestServer, client: KurrentDBClient) => Promise<void>,
): Promise<void> {
  const server = await startKurrentDBTestServer();
  const client = KurrentDBClient.connectionString(server.uri);
  try {
    await test(server, client);
  } finally {
    await client.dispose();
    await server.stop();
  }
}

/** Resolves when `subscription` reports that it caught up. */
function caughtUp(subscription: {
  once(event: 'caughtUp', listener: () => void): unknown;
}): Promise<void> {
  return new Promise((resolve) => subscription.once('caughtUp', () => resolve()));
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('server lifecycle', () => {
  it('picks a free port, and stop() frees it and is idempotent', async () => {
    const server = await startKurrentDBTestServer();
    expect(server.port).toBeGreaterThan(0);
    expect(server.host).toBe('127.0.0.1');
    expect(server.uri).toBe(`kurrentdb://admin:changeit@127.0.0.1:${server.port}?tls=false`);
    expect(await portIsFree(server.port)).toBe(false);
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    expect(await portIsFree(server.port)).toBe(true);
  });

  it('listens on the requested port', async () => {
    const probe = await startKurrentDBTestServer();
    const port = probe.port;
    await probe.stop();
    const server = await startKurrentDBTestServer({ port });
    try {
      expect(server.port).toBe(port);
    } finally {
      await server.stop();
    }
  });

  it('runs several independent servers in one process', async () => {
    const [a, b] = await Promise.all([startKurrentDBTestServer(), startKurrentDBTestServer()]);
    const clientA = KurrentDBClient.connectionString(a.uri);
    const clientB = KurrentDBClient.connectionString(b.uri);
    try {
      const stream = `shared-name-${randomUUID()}`;
      await clientA.appendToStream(stream, [jsonEvent({ type: 'OnA', data: {} })]);
      await clientB.appendToStream(stream, [
        jsonEvent({ type: 'OnB1', data: {} }),
        jsonEvent({ type: 'OnB2', data: {} }),
      ]);
      expect(await readTypes(clientA, stream)).toEqual(['OnA']);
      expect(await readTypes(clientB, stream)).toEqual(['OnB1', 'OnB2']);
    } finally {
      await clientA.dispose();
      await clientB.dispose();
      await a.stop();
      await b.stop();
    }
  });

  it('ends open subscriptions when stopped', async () => {
    await withServer(async (server, client) => {
      const subscription = client.subscribeToAll({ fromPosition: START });
      const ended = new Promise<unknown>((resolve) => {
        subscription.on('error', resolve);
        subscription.on('end', () => resolve('end'));
      });
      await caughtUp(subscription);
      await server.stop();
      expect(await ended).toBeDefined();
    });
  });
});

describe('disconnectClients()', () => {
  it('drops connections but keeps the data and keeps listening', async () => {
    await withServer(async (server, client) => {
      const stream = `disconnect-${randomUUID()}`;
      await client.appendToStream(stream, [jsonEvent({ type: 'Before', data: {} })]);
      const subscription = client.subscribeToStream(stream, { fromRevision: START });
      const failed = new Promise<unknown>((resolve) => subscription.on('error', resolve));
      await caughtUp(subscription);
      server.disconnectClients();
      expect(await failed).toBeInstanceOf(Error);
      // The client reconnects on its next calls; the data is still there.
      let appended = false;
      for (let attempt = 0; attempt < 5 && !appended; attempt++) {
        try {
          await client.appendToStream(stream, [jsonEvent({ type: 'After', data: {} })]);
          appended = true;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      expect(appended).toBe(true);
      const fresh = KurrentDBClient.connectionString(server.uri);
      try {
        expect(await readTypes(fresh, stream)).toEqual(['Before', 'After']);
      } finally {
        await fresh.dispose();
      }
    });
  });
});

describe('abortSubscriptions()', () => {
  it('ends every open subscription with the consumer-too-slow status', async () => {
    await withServer(async (server, client) => {
      const stream = `abort-${randomUUID()}`;
      const subscriptions = [
        client.subscribeToStream(stream, { fromRevision: START }),
        client.subscribeToAll({ fromPosition: START }),
      ];
      const errors = subscriptions.map(
        (subscription) =>
          new Promise<{ code?: number; message?: string }>((resolve) =>
            subscription.on('error', (error) =>
              resolve(error as { code?: number; message?: string }),
            ),
          ),
      );
      await Promise.all(subscriptions.map(caughtUp));
      server.abortSubscriptions();
      for (const error of await Promise.all(errors)) {
        expect(error.code).toBe(status.ABORTED);
        expect(error.message).toContain(
          'Operation timed out: Consumer too slow to handle event while live. Client resubscription required.',
        );
      }
      // Appends and new subscriptions still work.
      await client.appendToStream(stream, [jsonEvent({ type: 'StillFine', data: {} })]);
      const again = client.subscribeToStream(stream, { fromRevision: START });
      for await (const resolved of again) {
        expect(resolved.event?.type).toBe('StillFine');
        break;
      }
    });
  });
});
