/**
 * Turns a `ReadReq` into what to do (a stream or $all read, a stream or $all subscription), with
 * the node's validation and error messages (`Streams.Read.cs`).
 *
 * @module
 */
import { streamNameOf } from '../grpc/request-fields.js';
import {
  invalidArgumentError,
  invalidCombinationError,
  type RpcError,
  requiredArgumentError,
  unhandledExceptionError,
} from '../grpc/rpc-errors.js';
import { ReadCases, type ReadFilterOptions, type ReadRequest } from '../wire/generated.js';
import { exceedsInt64, saturatedNumber } from '../wire/int64.js';
import type { UuidFormat } from '../wire/read-responses.js';
import { InvalidRegexError } from './dotnet-regex.js';
import { filterOf, type RecordFilter } from './event-filter.js';

/** Where a stream read or subscription starts. */
export type RevisionStart = 'start' | 'end' | bigint;

/** Where a $all read or subscription starts. */
export type PositionStart = 'start' | 'end' | { readonly commit: bigint; readonly prepare: bigint };

/** A filter on $all with its checkpoint settings. */
export interface AllFilter {
  readonly matches: RecordFilter;
  /** `max` when given, else undefined (the `count` window). */
  readonly maxSearchWindow: number | undefined;
  readonly checkpointIntervalMultiplier: number;
}

interface Common {
  readonly resolveLinks: boolean;
  readonly uuidFormat: UuidFormat;
}

/** What a `Read` call asks for. */
export type ReadPlan =
  | (Common & {
      readonly kind: 'stream-read';
      readonly stream: string;
      readonly from: RevisionStart;
      readonly backwards: boolean;
      readonly count: number;
      readonly compatibility: number;
    })
  | (Common & {
      readonly kind: 'all-read';
      readonly from: PositionStart;
      readonly backwards: boolean;
      readonly count: number;
      readonly filter: AllFilter | undefined;
    })
  | (Common & {
      readonly kind: 'stream-subscription';
      readonly stream: string;
      readonly from: RevisionStart;
    })
  | (Common & {
      readonly kind: 'all-subscription';
      readonly from: PositionStart;
      readonly filter: AllFilter | undefined;
    });

const STREAM_CASES = ['None', 'Stream', 'All'] as const;
const COUNT_CASES: Record<number, string> = { 0: 'None', 5: 'Count', 6: 'Subscription' };
const FILTER_CASES: Record<number, string> = { 0: 'None', 7: 'Filter', 8: 'NoFilter' };

function allFilterOf(options: ReadFilterOptions): AllFilter | RpcError {
  if (!options.hasEventType() && !options.hasStreamIdentifier()) {
    return invalidArgumentError(
      'FilterOptions',
      'EventStore.Client.Streams.ReadReq+Types+Options+Types+FilterOptions',
    );
  }
  const windowCase = options.getWindowCase();
  if (windowCase !== 3 && windowCase !== 4) {
    return invalidArgumentError(
      'None',
      'EventStore.Client.Streams.ReadReq+Types+Options+Types+FilterOptions+WindowOneofCase',
    );
  }
  try {
    return {
      matches: filterOf(options),
      maxSearchWindow: windowCase === 3 ? options.getMax() : undefined,
      checkpointIntervalMultiplier: options.getCheckpointintervalmultiplier(),
    };
  } catch (error) {
    if (error instanceof InvalidRegexError) return unhandledExceptionError();
    throw error;
  }
}

/** Plans a `Read` call, or gives the error a node returns for it. */
export function planRead(request: ReadRequest): ReadPlan | RpcError {
  const options = request.getOptions();
  if (options === undefined) return unhandledExceptionError();
  const uuidOption = options.getUuidOption();
  if (uuidOption === undefined) {
    return requiredArgumentError(
      'uuidOption',
      'EventStore.Client.Streams.ReadReq+Types+Options+Types+UUIDOption',
    );
  }
  const streamCase = options.getStreamOptionCase();
  if (streamCase !== ReadCases.stream && streamCase !== ReadCases.all) {
    return invalidArgumentError(
      'None',
      'EventStore.Client.Streams.ReadReq+Types+Options+StreamOptionOneofCase',
    );
  }
  const common: Common = {
    resolveLinks: options.getResolveLinks(),
    uuidFormat: uuidOption.hasStructured() ? 'structured' : 'string',
  };
  const countCase = options.getCountOptionCase();
  const filterCase = options.getFilterOptionCase();
  const backwards = options.getReadDirection() === 1;
  const direction = options.getReadDirection();
  const combination = [
    STREAM_CASES[streamCase] ?? 'None',
    COUNT_CASES[countCase] ?? 'None',
    direction === 0 ? 'Forwards' : direction === 1 ? 'Backwards' : String(direction),
    FILTER_CASES[filterCase] ?? 'None',
  ];
  const invalid = () => invalidCombinationError(combination);
  if (direction !== 0 && direction !== 1) return invalid();

  if (streamCase === ReadCases.stream) {
    const streamOptions = options.getStream();
    const stream = streamNameOf(streamOptions?.getStreamIdentifier());
    if (filterCase !== ReadCases.noFilter) return invalid();
    if (countCase === ReadCases.subscription && backwards) return invalid();
    if (countCase !== ReadCases.count && countCase !== ReadCases.subscription) return invalid();
    if (streamOptions === undefined || stream === undefined) return unhandledExceptionError();
    if (streamOptions.getRevisionOptionCase() === 0) return unhandledExceptionError();
    const from: RevisionStart = streamOptions.hasRevision()
      ? BigInt(streamOptions.getRevision())
      : streamOptions.hasEnd()
        ? 'end'
        : 'start';
    if (countCase === ReadCases.subscription) {
      return { ...common, kind: 'stream-subscription', stream, from };
    }
    return {
      ...common,
      kind: 'stream-read',
      stream,
      from,
      backwards,
      count: saturatedNumber(BigInt(options.getCount())),
      compatibility: options.getControlOption()?.getCompatibility() ?? 0,
    };
  }

  const allOptions = options.getAll();
  if (countCase !== ReadCases.count && countCase !== ReadCases.subscription) return invalid();
  if (filterCase !== ReadCases.filter && filterCase !== ReadCases.noFilter) return invalid();
  if (countCase === ReadCases.subscription && backwards) return invalid();
  if (allOptions === undefined || allOptions.getAllOptionCase() === 0) {
    return unhandledExceptionError();
  }
  const position = allOptions.getPosition();
  const from: PositionStart =
    position !== undefined
      ? {
          commit: BigInt(position.getCommitPosition()),
          prepare: BigInt(position.getPreparePosition()),
        }
      : allOptions.hasEnd()
        ? 'end'
        : 'start';
  let filter: AllFilter | undefined;
  if (filterCase === ReadCases.filter) {
    const filterOptions = options.getFilter();
    if (filterOptions === undefined) return unhandledExceptionError();
    const built = allFilterOf(filterOptions);
    if ('code' in built) return built;
    filter = built;
  }
  if (countCase === ReadCases.subscription) {
    return { ...common, kind: 'all-subscription', from, filter };
  }
  if (typeof from === 'object' && exceedsInt64(from.commit, from.prepare)) {
    return unhandledExceptionError();
  }
  return {
    ...common,
    kind: 'all-read',
    from,
    backwards,
    count: saturatedNumber(BigInt(options.getCount())),
    filter,
  };
}
