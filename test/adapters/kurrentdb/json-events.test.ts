/**
 * Events another client wrote as JSON: the official client hands their data over already
 * parsed, so the adapter turns it back into the JSON text — also when the JSON is a string
 * (`"hello"` must come back as the 7 bytes `"hello"`, not the 5 of `hello`), a number or an
 * array. Binary events keep their bytes.
 */
import { randomUUID } from 'node:crypto';
import { binaryEvent, jsonEvent, KurrentDBClient } from '@kurrent/kurrentdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
} from '../../../src/adapters/kurrentdb/index.js';
import { dataBytes } from '../../../src/adapters/kurrentdb/recorded-event.js';
import { selectOwnNotifications } from '../../../src/testing/contract/fixtures.js';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../../src/testing/test-server/start-test-server.js';

const decoder = new TextDecoder();
const text = (bytes: Uint8Array): string => decoder.decode(bytes);

/** What another client writes, and the bytes the adapter must read back. */
const cases = [
  { name: 'a JSON string', event: jsonEvent({ type: 'Greeted', data: 'hello' }), bytes: '"hello"' },
  {
    name: 'a JSON string that looks like JSON',
    event: jsonEvent({ type: 'Quoted', data: '{"a":1}' }),
    bytes: '"{\\"a\\":1}"',
  },
  { name: 'a JSON number', event: jsonEvent({ type: 'Counted', data: 42 as never }), bytes: '42' },
  {
    name: 'a JSON array',
    event: jsonEvent({ type: 'Listed', data: [1, 'two', null] }),
    bytes: '[1,"two",null]',
  },
  {
    name: 'a JSON object',
    event: jsonEvent({ type: 'Named', data: { name: 'Fido' } }),
    bytes: '{"name":"Fido"}',
  },
  {
    name: 'a binary event',
    event: binaryEvent({ type: 'Raw', data: new TextEncoder().encode('hello') }),
    bytes: 'hello',
  },
] as const;

describe('events written as JSON by another client', () => {
  let server: KurrentDBTestServer;
  let client: KurrentDBClient;
  let recorder: KurrentDBApplicationRecorder;
  beforeAll(async () => {
    server = await startKurrentDBTestServer();
    client = KurrentDBClient.connectionString(server.uri);
    recorder = new KurrentDBApplicationRecorder(new KurrentDBConnection({ uri: server.uri }));
  });
  afterAll(async () => {
    await recorder?.close();
    await client?.dispose();
    await server?.stop();
  });

  it('reads back the JSON text through selectEvents and selectNotifications', async () => {
    const stream = randomUUID();
    const after = await recorder.maxNotificationId();
    await client.appendToStream(
      stream,
      cases.map((c) => c.event),
    );

    const stored = await recorder.selectEvents(stream);
    expect(stored.map((e) => e.topic)).toEqual(cases.map((c) => c.event.type));
    for (const [i, c] of cases.entries()) {
      expect(text(stored[i]?.state ?? new Uint8Array()), c.name).toBe(c.bytes);
    }

    const notifications = await selectOwnNotifications(recorder, [stream], { after });
    expect(notifications.map((n) => n.topic)).toEqual(cases.map((c) => c.event.type));
    for (const [i, c] of cases.entries()) {
      expect(text(notifications[i]?.state ?? new Uint8Array()), c.name).toBe(c.bytes);
    }
  });

  it('keeps a binary event whose bytes are not JSON, and quotes malformed JSON text', () => {
    const base = { streamId: 's', id: 'i', revision: 0n, type: 't', metadata: undefined };
    expect(text(dataBytes({ ...base, isJson: false, data: Buffer.from('not json') }))).toBe(
      'not json',
    );
    // The client hands over malformed JSON as its text, like a parsed JSON string.
    expect(text(dataBytes({ ...base, isJson: true, data: '{oops' }))).toBe('"{oops"');
    expect(text(dataBytes({ ...base, isJson: true, data: null }))).toBe('null');
    expect(text(dataBytes({ ...base, isJson: true, data: false }))).toBe('false');
  });
});
