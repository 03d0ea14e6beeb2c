/**
 * `eventsourcing-kurrentdb/machines`: the example aggregates (`Dog`, `BankAccount`, `Transfer`), the `MoneyTransfer` process and the
 * runtime's own lifecycle machine — plain XState v5 machines with no I/O, each openable in the
 * Stately inspector.
 *
 * @module
 */
export {
  type AggregateLifecycleContext,
  type AggregateLifecycleEvent,
  aggregateLifecycleMachine,
} from './aggregate-lifecycle.js';
export {
  BankAccount,
  type BankAccountCommand,
  type BankAccountContext,
  type BankAccountEvent,
  bankAccountMachine,
} from './bank-account.js';
export { Dog, type DogCommand, type DogContext, type DogEvent, dogMachine } from './dog.js';
export {
  MoneyTransfer,
  type MoneyTransferContext,
  type MoneyTransferEvent,
  moneyTransferMachine,
} from './money-transfer.js';
export {
  type ProjectionLifecycleContext,
  type ProjectionLifecycleEvent,
  projectionLifecycleMachine,
} from './projection-lifecycle.js';
export {
  Transfer,
  type TransferCommand,
  type TransferContext,
  type TransferEvent,
  transferMachine,
} from './transfer.js';
