/**
 * `sendCommand`: the action a process machine uses to send a command to an aggregate.
 *
 * It is an XState `emit` of a {@link ProcessCommandEvent}: the process runtime collects these
 * from XState's pure `transition()`, executes them one after the other through the application's
 * command path, each with a command id derived from the process instance and its cause (or from
 * its `key`), and sends the reply (`aggregate.executed` / `aggregate.rejected`, with the same
 * `key`) back into the instance.
 *
 * @module
 */
import type {
  ActionArgs,
  ActionFunction,
  AnyStateMachine,
  EventObject,
  MachineContext,
  ParameterizedObject,
} from 'xstate';
import { emit } from 'xstate';
import type { AggregateDefinition, CommandOf } from '../aggregate/define-aggregate.js';

/** The emitted event type of a command a process sends. */
export const PROCESS_COMMAND = 'process.command';

/** What a process asks of one aggregate. */
export interface CommandRequest<M extends AnyStateMachine = AnyStateMachine> {
  /** The aggregate id. */
  readonly id: string;
  readonly command: CommandOf<M>;
  /**
   * Names the command within its process instance: its command id is then derived from the
   * instance and this key only, so sending it again (a retry after a timer) never applies it
   * twice. Without a key, the id derives from the cause (the upstream event or timer) and the
   * command's place among the commands that cause sent. The reply carries the key.
   */
  readonly key?: string;
}

/** The event a process machine emits to send a command (collected by the runtime). */
export interface ProcessCommandEvent {
  readonly type: typeof PROCESS_COMMAND;
  readonly definition: AggregateDefinition;
  readonly id: string;
  readonly command: EventObject;
  readonly key: string | undefined;
}

/**
 * An action that sends a command to an aggregate from a process machine.
 *
 * @example
 * ```ts
 * debiting: {
 *   entry: sendCommand(BankAccount, ({ context }) => ({
 *     id: context.from,
 *     command: { type: 'withdraw', amount: context.amount },
 *     key: 'debit',
 *   })),
 *   on: { 'aggregate.executed': 'crediting', 'aggregate.rejected': 'failed' },
 * },
 * ```
 */
export function sendCommand<
  M extends AnyStateMachine,
  TContext extends MachineContext,
  TExpressionEvent extends EventObject,
  TParams extends ParameterizedObject['params'] | undefined,
  TEvent extends EventObject,
  const R extends CommandRequest<M>,
>(
  definition: AggregateDefinition<M>,
  request: (args: ActionArgs<TContext, TExpressionEvent, TEvent>) => R,
): ActionFunction<
  TContext,
  TExpressionEvent,
  TEvent,
  TParams,
  never,
  never,
  never,
  never,
  ProcessCommandEvent
> {
  return emit<TContext, TExpressionEvent, TParams, TEvent, ProcessCommandEvent>((args) => {
    const { id, command, key } = request(args);
    return {
      type: PROCESS_COMMAND,
      definition: definition as AggregateDefinition,
      id,
      command: command as EventObject,
      key,
    };
  });
}
