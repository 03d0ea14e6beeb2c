/**
 * ServerFeatures: what `GetSupportedMethods` advertises, and that the client picks the append
 * path from it (KurrentDB `ServerFeatures.cs`; protocol doc §1.3).
 */
import {
  type AppendToStreamOptions,
  jsonEvent,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';
import type { ServerFeatures } from '@kurrent/kurrentdb-client/dist/Client/ServerFeatures.js';
import featuresGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb.js';
import type { SupportedMethods } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb.js';
import streamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APPEND_CREDENTIALS, createClient, grpcAddress, uniqueStream } from './support/client.js';
import { within } from './support/errors.js';
import { grpc, sharedPb } from './support/raw-grpc.js';

interface AdvertisedMethod {
  readonly service: string;
  readonly method: string;
  readonly features: string[];
}

async function advertised(): Promise<{ version: string; methods: AdvertisedMethod[] }> {
  const client = new featuresGrpc.ServerFeaturesClient(
    grpcAddress(),
    grpc.credentials.createInsecure(),
  );
  try {
    const reply = await within(
      5_000,
      'GetSupportedMethods',
      new Promise<SupportedMethods>((resolve, reject) => {
        client.getSupportedMethods(new sharedPb.Empty(), (error, response) =>
          error === null ? resolve(response) : reject(error),
        );
      }),
    );
    return {
      version: reply.getEventStoreServerVersion(),
      methods: reply.getMethodsList().map((m) => ({
        service: m.getServiceName(),
        method: m.getMethodName(),
        features: m.getFeaturesList(),
      })),
    };
  } finally {
    client.close();
  }
}

/** The protected members of the client this file looks at. */
interface ClientInternals {
  readonly capabilities: Promise<ServerFeatures>;
  GRPCStreamCreator: (...args: unknown[]) => unknown;
  execute: (...args: unknown[]) => unknown;
}

function internals(client: KurrentDBClient): ClientInternals {
  return client as unknown as ClientInternals;
}

describe('server features', () => {
  const clients: KurrentDBClient[] = [];
  const newClient = (): KurrentDBClient => {
    const client = createClient();
    clients.push(client);
    return client;
  };

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('answers GetSupportedMethods with a numeric dotted version', async () => {
    const { version } = await advertised();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('advertises the v1 Streams methods in lower case, batchappend with deadline_duration', async () => {
    const { methods } = await advertised();
    const streams = methods.filter((m) => m.service === 'event_store.client.streams.streams');
    const names = streams.map((m) => m.method);
    expect(names).toEqual(
      expect.arrayContaining(['read', 'append', 'delete', 'tombstone', 'batchappend']),
    );
    for (const m of methods) {
      expect(m.service).toBe(m.service.toLowerCase());
      expect(m.method).toBe(m.method.toLowerCase());
    }
    expect(streams.find((m) => m.method === 'batchappend')?.features).toContain(
      'deadline_duration',
    );
    expect(streams.find((m) => m.method === 'read')?.features).toEqual(
      expect.arrayContaining(['position', 'events']),
    );
  });

  it('gives the client a numeric serverVersion and batchappend support', async () => {
    const client = newClient();
    const features = await within(5_000, 'capabilities', internals(client).capabilities);
    expect(features.serverVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(features.supports(streamsGrpc.StreamsService.batchAppend)).toBe(true);
    expect(features.supports(streamsGrpc.StreamsService.append)).toBe(true);
    expect(features.supports(streamsGrpc.StreamsService.read)).toBe(true);
  });

  /** Appends one event with `options` on a new client, spying on the two paths it can take. */
  async function spiedAppend(options?: AppendToStreamOptions) {
    const client = newClient();
    const streamCreator = vi.spyOn(internals(client), 'GRPCStreamCreator');
    const execute = vi.spyOn(internals(client), 'execute');
    const result = await client.appendToStream(
      uniqueStream(),
      jsonEvent({ type: 'FeatureProbe', data: {} }),
      options,
    );
    expect(result.nextExpectedRevision).toBe(0n);
    return { streamCreator, execute };
  }

  it('makes appendToStream use BatchAppend by default', async () => {
    const { streamCreator, execute } = await spiedAppend();
    expect(streamCreator).toHaveBeenCalledWith(
      streamsGrpc.StreamsClient,
      'appendToStream',
      expect.any(Function),
      expect.any(WeakMap),
    );
    expect(execute).not.toHaveBeenCalledWith(
      streamsGrpc.StreamsClient,
      'appendToStream',
      expect.any(Function),
    );
  });

  it('falls back to Append when per-call credentials are given', async () => {
    const { streamCreator, execute } = await spiedAppend({ credentials: APPEND_CREDENTIALS });
    expect(streamCreator).not.toHaveBeenCalled();
    expect(execute).toHaveBeenCalledWith(
      streamsGrpc.StreamsClient,
      'appendToStream',
      expect.any(Function),
    );
  });
});
