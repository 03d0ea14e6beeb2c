/**
 * `ServerFeatures.GetSupportedMethods`: the methods this server implements, lowercased and with
 * the features a 25.1 node attaches (`ServerFeatures.cs`), and a numeric version.
 *
 * @module
 */
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { ProtoWriter } from '../wire/proto-writer.js';

/** The version this server reports. */
export const SERVER_VERSION = '25.1.0';

const STREAMS = 'event_store.client.streams.streams';

/** `[method, service, features]` of every implemented client-facing method. */
export const SUPPORTED_METHODS: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['read', STREAMS, ['position', 'events']],
  ['append', STREAMS, []],
  ['delete', STREAMS, []],
  ['tombstone', STREAMS, []],
  ['batchappend', STREAMS, ['deadline_duration']],
  ['getsupportedmethods', 'event_store.client.server_features.serverfeatures', []],
];

/** Encodes the `SupportedMethods` reply. */
export function encodeSupportedMethods(): Buffer {
  const writer = new ProtoWriter(512);
  for (const [method, service, features] of SUPPORTED_METHODS) {
    writer.message(1, (w) => {
      w.string(1, method).string(2, service);
      for (const feature of features) w.string(3, feature);
    });
  }
  writer.string(2, SERVER_VERSION);
  return writer.finish();
}

/** Creates the GetSupportedMethods handler. */
export function serverFeaturesHandler() {
  const reply = encodeSupportedMethods();
  return (_call: ServerUnaryCall<unknown, Buffer>, callback: sendUnaryData<Buffer>): void => {
    callback(null, reply);
  };
}
