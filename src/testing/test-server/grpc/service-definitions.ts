/**
 * grpc-js service definitions for the services the test server implements. Requests are
 * decoded with the official client's generated classes; responses are already-encoded buffers,
 * so the response serializer is the identity.
 *
 * @module
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { decodeAppendRequest, decodeBatchAppendRequest } from '../wire/append-requests.js';
import { DeleteReq, ReadReq, SharedEmpty, TombstoneReq } from '../wire/generated.js';

type Decoder<T> = { deserializeBinary(bytes: Uint8Array): T };

/** A method whose responses are already-encoded buffers. */
export function method<T>(
  path: string,
  decoder: Decoder<T>,
  requestStream: boolean,
  responseStream: boolean,
): MethodDefinition<T, Buffer> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: () => {
      throw new Error('the test server never serializes requests');
    },
    requestDeserialize: (bytes: Buffer) => decoder.deserializeBinary(new Uint8Array(bytes)),
    responseSerialize: (response: Buffer) => response,
    responseDeserialize: (bytes: Buffer) => bytes,
  };
}

const STREAMS = '/event_store.client.streams.Streams';

/** `event_store.client.streams.Streams`. */
export const streamsService: ServiceDefinition = {
  read: method(`${STREAMS}/Read`, ReadReq, false, true),
  append: method(`${STREAMS}/Append`, { deserializeBinary: decodeAppendRequest }, true, false),
  delete: method(`${STREAMS}/Delete`, DeleteReq, false, false),
  tombstone: method(`${STREAMS}/Tombstone`, TombstoneReq, false, false),
  batchAppend: method(
    `${STREAMS}/BatchAppend`,
    { deserializeBinary: decodeBatchAppendRequest },
    true,
    true,
  ),
};

/** `event_store.client.server_features.ServerFeatures`. */
export const serverFeaturesService: ServiceDefinition = {
  getSupportedMethods: method(
    '/event_store.client.server_features.ServerFeatures/GetSupportedMethods',
    SharedEmpty,
    false,
    false,
  ),
};
