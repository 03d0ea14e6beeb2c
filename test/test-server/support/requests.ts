/**
 * Builders of raw v1 requests with the client's generated classes, for the test-server tests.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import { sharedPb, streamsPb } from './raw-grpc.js';

type ReadOptions = InstanceType<typeof streamsPb.ReadReq.Options>;

/** A `StreamIdentifier` for `name`. */
export function streamIdentifier(name: string): InstanceType<typeof sharedPb.StreamIdentifier> {
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(name, 'utf8'));
  return identifier;
}

/** A string-form `UUID`. */
export function uuid(value: string = randomUUID()): InstanceType<typeof sharedPb.UUID> {
  const message = new sharedPb.UUID();
  message.setString(value);
  return message;
}

/** `ReadReq` bytes built by `configure` on fresh options (uuid_option string, no_filter). */
export function readRequest(configure: (options: ReadOptions) => void): Uint8Array {
  const options = new streamsPb.ReadReq.Options();
  const uuidOption = new streamsPb.ReadReq.Options.UUIDOption();
  uuidOption.setString(new sharedPb.Empty());
  options.setUuidOption(uuidOption);
  options.setNoFilter(new sharedPb.Empty());
  configure(options);
  const request = new streamsPb.ReadReq();
  request.setOptions(options);
  return request.serializeBinary();
}

/** Stream options reading `stream` from `revision` (or the start). */
export function streamFrom(stream: string, revision?: bigint) {
  const options = new streamsPb.ReadReq.Options.StreamOptions();
  options.setStreamIdentifier(streamIdentifier(stream));
  if (revision === undefined) options.setStart(new sharedPb.Empty());
  else options.setRevision(revision.toString());
  return options;
}

/** $all options from a position (or the start). */
export function allFrom(position?: { commit: bigint; prepare: bigint }) {
  const options = new streamsPb.ReadReq.Options.AllOptions();
  if (position === undefined) options.setStart(new sharedPb.Empty());
  else {
    const pos = new streamsPb.ReadReq.Options.Position();
    pos.setCommitPosition(position.commit.toString());
    pos.setPreparePosition(position.prepare.toString());
    options.setPosition(pos);
  }
  return options;
}

/** A proposed message for Append / BatchAppend. */
export function proposed<
  T extends
    | InstanceType<typeof streamsPb.AppendReq.ProposedMessage>
    | InstanceType<typeof streamsPb.BatchAppendReq.ProposedMessage>,
>(message: T, type = 'Tested', id: string = randomUUID()): T {
  message.setId(uuid(id));
  message.getMetadataMap().set('type', type);
  message.getMetadataMap().set('content-type', 'application/json');
  message.setData(Buffer.from('{"ok":true}', 'utf8'));
  return message;
}

/** A final `BatchAppendReq` with options for `stream` (expected any) and `count` events. */
export function batchAppendRequest(
  stream: string,
  count: number,
  correlationId: string = randomUUID(),
): InstanceType<typeof streamsPb.BatchAppendReq> {
  const request = new streamsPb.BatchAppendReq();
  request.setCorrelationId(uuid(correlationId));
  const options = new streamsPb.BatchAppendReq.Options();
  options.setStreamIdentifier(streamIdentifier(stream));
  options.setAny(new emptyPb.Empty());
  request.setOptions(options);
  for (let i = 0; i < count; i++) {
    request.addProposedMessages(proposed(new streamsPb.BatchAppendReq.ProposedMessage()));
  }
  request.setIsFinal(true);
  return request;
}
