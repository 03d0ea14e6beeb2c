/**
 * Benchmark of the in-process test server, measured through the official client:
 * - appends in batches of 100 events (events/s), through the client and, to separate the
 *   server's cost from the client's encoding, as pre-encoded requests over raw gRPC;
 * - a $all catch-up read of 100k events through the client's read path (events/s);
 * - 100 concurrent subscriptions all receiving a burst (subscriptions served, delivered events/s).
 *
 * Every figure is the median of several runs against one server per scenario.
 */
import { randomUUID } from 'node:crypto';
import { credentials, Client as GrpcClient } from '@grpc/grpc-js';
import {
  type KurrentDBClient as Client,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  START,
} from '@kurrent/kurrentdb-client';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import { startKurrentDBTestServer } from '../../src/testing/test-server/start-test-server.js';
import type { BenchResult } from './bench-result.js';
import { median } from './bench-stats.js';

const RUNS = 5;
const BATCH = 100;
const APPEND_BATCHES = 200;
const READ_EVENTS = 100_000;
const SUBSCRIPTIONS = 100;
const BURST = 1_000;
const RAW_BATCHES = 500;

function result(name: string, unit: string, runs: number[]): BenchResult {
  return { name, unit, runs, median: median(runs) };
}

function batch(size: number): ReturnType<typeof jsonEvent>[] {
  return Array.from({ length: size }, (_, i) =>
    jsonEvent({ type: 'BenchEvent', data: { i, payload: 'x'.repeat(64) } }),
  );
}

async function withClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const server = await startKurrentDBTestServer();
  const client = KurrentDBClient.connectionString(server.uri);
  try {
    return await run(client);
  } finally {
    await client.dispose();
    await server.stop();
  }
}

/** Sequential appends of 100-event batches to one stream. */
async function appendRun(client: Client): Promise<number> {
  const stream = `bench-append-${randomUUID()}`;
  const batches = Array.from({ length: APPEND_BATCHES }, () => batch(BATCH));
  const started = performance.now();
  for (const events of batches) await client.appendToStream(stream, events);
  return (APPEND_BATCHES * BATCH) / ((performance.now() - started) / 1000);
}

/** Reads 100k events of $all forwards from a position taken before they were written. */
async function readRun(client: Client, from: { commit: bigint; prepare: bigint }): Promise<number> {
  let count = 0;
  const started = performance.now();
  for await (const _ of client.readAll({
    fromPosition: from,
    direction: FORWARDS,
    maxCount: READ_EVENTS,
  })) {
    count++;
  }
  const seconds = (performance.now() - started) / 1000;
  if (count !== READ_EVENTS) throw new Error(`read ${count} events instead of ${READ_EVENTS}`);
  return READ_EVENTS / seconds;
}

async function seedForRead(client: Client): Promise<{ commit: bigint; prepare: bigint }> {
  const stream = `bench-read-${randomUUID()}`;
  const first = await client.appendToStream(stream, batch(BATCH));
  const appends: Promise<unknown>[] = [];
  for (let i = 1; i < READ_EVENTS / BATCH; i++) {
    appends.push(client.appendToStream(`${stream}-${i % 8}`, batch(BATCH)));
    if (appends.length === 16) await Promise.all(appends.splice(0));
  }
  await Promise.all(appends);
  // The first batch's first event: its position is the last event's minus the other 99 records.
  for await (const resolved of client.readStream(stream, { fromRevision: START, maxCount: 1 })) {
    if (resolved.event?.position !== undefined) return resolved.event.position;
  }
  throw new Error(`no position for ${stream} (append result ${String(first.position)})`);
}

/** 100 subscriptions to one stream, then a burst of appends; counts fully served subscriptions. */
async function fanOutRun(client: Client): Promise<{ served: number; eventsPerSecond: number }> {
  const stream = `bench-fanout-${randomUUID()}`;
  const subscriptions = Array.from({ length: SUBSCRIPTIONS }, () =>
    client.subscribeToStream(stream, { fromRevision: START }),
  );
  const caughtUp = subscriptions.map(
    (subscription) =>
      new Promise<void>((resolve) => subscription.once('caughtUp', () => resolve())),
  );
  await Promise.all(caughtUp);
  let served = 0;
  const done = subscriptions.map(async (subscription) => {
    let received = 0;
    for await (const _ of subscription) {
      received++;
      if (received === BURST) break;
    }
    if (received === BURST) served++;
  });
  const started = performance.now();
  for (let i = 0; i < BURST / BATCH; i++) await client.appendToStream(stream, batch(BATCH));
  await Promise.race([Promise.all(done), new Promise((resolve) => setTimeout(resolve, 60_000))]);
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
  return { served, eventsPerSecond: (served * BURST) / seconds };
}

/** Pre-encoded BatchAppend requests of 100 events each, built with the client's classes. */
function encodedBatchAppends(count: number): Buffer[] {
  const data = Buffer.from(JSON.stringify({ i: 1, payload: 'x'.repeat(64) }));
  return Array.from({ length: count }, (_, n) => {
    const request = new streamsPb.BatchAppendReq();
    const correlation = new sharedPb.UUID();
    correlation.setString(randomUUID());
    request.setCorrelationId(correlation);
    const options = new streamsPb.BatchAppendReq.Options();
    const identifier = new sharedPb.StreamIdentifier();
    identifier.setStreamName(Buffer.from(`bench-raw-${n % 16}`));
    options.setStreamIdentifier(identifier);
    options.setAny(new emptyPb.Empty());
    request.setOptions(options);
    for (let i = 0; i < BATCH; i++) {
      const message = new streamsPb.BatchAppendReq.ProposedMessage();
      const id = new sharedPb.UUID();
      id.setString(randomUUID());
      message.setId(id);
      message.getMetadataMap().set('type', 'BenchEvent');
      message.getMetadataMap().set('content-type', 'application/json');
      message.setData(data);
      request.addProposedMessages(message);
    }
    request.setIsFinal(true);
    return Buffer.from(request.serializeBinary());
  });
}

/**
 * The server's own append capacity: pre-encoded BatchAppend requests over raw gRPC, 8 in
 * flight, so that the official client's encoding cost is out of the measurement.
 */
async function rawAppendRun(port: number): Promise<number> {
  const requests = encodedBatchAppends(RAW_BATCHES);
  const client = new GrpcClient(`127.0.0.1:${port}`, credentials.createInsecure());
  const identity = (bytes: Buffer) => bytes;
  try {
    const call = client.makeBidiStreamRequest(
      '/event_store.client.streams.Streams/BatchAppend',
      identity,
      identity,
    );
    call.on('error', () => undefined);
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let sent = 0;
      let answered = 0;
      const pump = () => {
        while (sent - answered < 8 && sent < requests.length)
          call.write(requests[sent++] as Buffer);
      };
      call.on('data', () => {
        answered++;
        if (answered === requests.length) resolve();
        else pump();
      });
      pump();
    });
    const seconds = (performance.now() - started) / 1000;
    call.cancel();
    return (RAW_BATCHES * BATCH) / seconds;
  } finally {
    client.close();
  }
}

/** Runs the test-server benchmarks. */
export async function benchTestServer(): Promise<BenchResult[]> {
  const appendRuns = await withClient(async (client) => {
    await appendRun(client);
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await appendRun(client));
    return runs;
  });
  const rawRuns: number[] = [];
  const rawServer = await startKurrentDBTestServer();
  try {
    await rawAppendRun(rawServer.port);
    for (let i = 0; i < RUNS; i++) rawRuns.push(await rawAppendRun(rawServer.port));
  } finally {
    await rawServer.stop();
  }
  const readRuns = await withClient(async (client) => {
    const from = await seedForRead(client);
    await readRun(client, from);
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await readRun(client, from));
    return runs;
  });
  const fanOut = await withClient(async (client) => {
    const runs: Array<{ served: number; eventsPerSecond: number }> = [];
    for (let i = 0; i < RUNS; i++) runs.push(await fanOutRun(client));
    return runs;
  });
  return [
    result(`append, batches of ${BATCH} events`, 'events/s', appendRuns),
    result(
      `append, batches of ${BATCH} events, pre-encoded over raw gRPC (server capacity)`,
      'events/s',
      rawRuns,
    ),
    result(
      `$all catch-up read of ${READ_EVENTS.toLocaleString('en-US')} events`,
      'events/s',
      readRuns,
    ),
    result(
      `${SUBSCRIPTIONS} concurrent subscriptions, burst of ${BURST} events: served`,
      'subscriptions',
      fanOut.map((run) => run.served),
    ),
    result(
      `${SUBSCRIPTIONS} concurrent subscriptions, burst of ${BURST} events: delivered`,
      'events/s',
      fanOut.map((run) => run.eventsPerSecond),
    ),
  ];
}
