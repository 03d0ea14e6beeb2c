/**
 * The official client's generated google-protobuf classes, used by the test server to decode
 * the requests it does not decode by hand (Read, Delete, Tombstone, ServerFeatures). They are
 * CommonJS modules, so they are imported as default imports.
 *
 * @module
 */
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';

/** `event_store.client.streams.ReadReq`. */
export const ReadReq = streamsPb.ReadReq;
/** `event_store.client.streams.DeleteReq`. */
export const DeleteReq = streamsPb.DeleteReq;
/** `event_store.client.streams.TombstoneReq`. */
export const TombstoneReq = streamsPb.TombstoneReq;
/** `event_store.client.Empty`. */
export const SharedEmpty = sharedPb.Empty;

/** Decoded `ReadReq`. */
export type ReadRequest = InstanceType<typeof streamsPb.ReadReq>;
/** Decoded `ReadReq.Options.FilterOptions`. */
export type ReadFilterOptions = InstanceType<typeof streamsPb.ReadReq.Options.FilterOptions>;
/** Decoded `DeleteReq`. */
export type DeleteRequest = InstanceType<typeof streamsPb.DeleteReq>;
/** Decoded `TombstoneReq`. */
export type TombstoneRequest = InstanceType<typeof streamsPb.TombstoneReq>;
/** Decoded `event_store.client.StreamIdentifier`. */
export type StreamIdentifierMessage = InstanceType<typeof sharedPb.StreamIdentifier>;

/** The `ReadReq.Options` oneof cases, as numbers. */
export const ReadCases = {
  stream: streamsPb.ReadReq.Options.StreamOptionCase.STREAM,
  all: streamsPb.ReadReq.Options.StreamOptionCase.ALL,
  count: streamsPb.ReadReq.Options.CountOptionCase.COUNT,
  subscription: streamsPb.ReadReq.Options.CountOptionCase.SUBSCRIPTION,
  filter: streamsPb.ReadReq.Options.FilterOptionCase.FILTER,
  noFilter: streamsPb.ReadReq.Options.FilterOptionCase.NO_FILTER,
} as const;
