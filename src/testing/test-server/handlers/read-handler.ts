/**
 * `Streams.Read` (server streaming): stream and $all reads and subscriptions.
 *
 * @module
 */
import type { ServerWritableStream } from '@grpc/grpc-js';
import { requiresLeaderOf } from '../grpc/node-role.js';
import { type BufferCall, ResponseWriter } from '../grpc/response-writer.js';
import { unhandledExceptionError } from '../grpc/rpc-errors.js';
import type { ServerState } from '../grpc/server-state.js';
import { readAll } from '../read/all-read.js';
import { planRead } from '../read/read-plan.js';
import { readStream } from '../read/stream-read.js';
import { AllSubscription } from '../subscribe/all-subscription.js';
import { StreamSubscription } from '../subscribe/stream-subscription.js';
import type { ReadRequest } from '../wire/generated.js';

async function writeAll(writer: ResponseWriter, responses: Iterable<Buffer>): Promise<void> {
  for (const response of responses) {
    if (writer.closed) return;
    if (!writer.write(response) && !(await writer.drain())) return;
  }
  writer.end();
}

/** Creates the Read handler. */
export function readHandler(state: ServerState) {
  return (call: ServerWritableStream<ReadRequest, Buffer>): void => {
    const writer = new ResponseWriter(call as BufferCall);
    const refusal = state.role.refusal('read', requiresLeaderOf(call.metadata));
    if (refusal !== undefined) {
      writer.fail(refusal.error);
      return;
    }
    try {
      serve(state, writer, call.request);
    } catch {
      writer.fail(unhandledExceptionError());
    }
  };
}

function serve(state: ServerState, writer: ResponseWriter, request: ReadRequest): void {
  const plan = planRead(request);
  if ('code' in plan) {
    writer.fail(plan);
    return;
  }
  switch (plan.kind) {
    case 'stream-read':
    case 'all-read': {
      const result =
        plan.kind === 'stream-read'
          ? readStream(state.log, plan, state.now())
          : readAll(state.log, plan, state.now());
      if ('code' in result) {
        writer.fail(result);
        return;
      }
      writeAll(writer, result).catch(() => writer.fail(unhandledExceptionError()));
      return;
    }
    case 'stream-subscription':
      new StreamSubscription(state, writer, plan).start();
      return;
    case 'all-subscription':
      new AllSubscription(state, writer, plan).start();
      return;
  }
}
