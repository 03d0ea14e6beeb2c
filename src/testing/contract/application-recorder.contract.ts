/**
 * The contract every `ApplicationRecorder` meets.
 *
 * @module
 */
import { describe } from 'vitest';
import { describeAggregateRecorderCases } from './aggregate-recorder.contract.js';
import type { ApplicationRecorderContractOptions } from './capabilities.js';
import { describeConcurrency } from './concurrency.contract.js';
import { useRecorders } from './lifecycle.js';
import { NO_EVENTS_NOR_NOTIFICATIONS } from './nothing-stored.js';
import { describeNotificationSelection } from './notification-selection.contract.js';
import { describeSoftDeleteNotifications } from './soft-delete.contract.js';
import { describeSubscription } from './subscription.contract.js';
import { itRefusesApplicationUseAfterClose } from './use-after-close.contract.js';

/**
 * Declares the application recorder contract as a vitest `describe` block named `name`: the
 * aggregate recorder contract (an application recorder is one), notification ids and selection,
 * subscriptions, concurrent writers, use after close and the notifications of soft-deleted
 * aggregates. Refused writes must leave no notification either.
 *
 * Every test creates its recorders with `options.create()` and closes them afterwards; none
 * assumes an empty store. Adapter differences are the named `options.capabilities`.
 *
 * @example
 * ```ts
 * describeApplicationRecorderContract('MemoryApplicationRecorder', {
 *   create: async () => new MemoryApplicationRecorder(),
 *   capabilities: CONTIGUOUS_NOTIFICATION_LOG,
 * });
 * ```
 */
export function describeApplicationRecorderContract(
  name: string,
  options: ApplicationRecorderContractOptions,
): void {
  describe(name, () => {
    describe('as an aggregate recorder', () =>
      describeAggregateRecorderCases(options, NO_EVENTS_NOR_NOTIFICATIONS));
    describeNotificationSelection(options);
    describeSubscription(options);
    describeConcurrency(options);
    describe('lifecycle and soft delete', () => {
      const open = useRecorders(options.create);
      itRefusesApplicationUseAfterClose(open);
      describeSoftDeleteNotifications(open);
    });
  });
}
