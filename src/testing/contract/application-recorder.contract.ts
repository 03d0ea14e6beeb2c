/**
 * The contract every `ApplicationRecorder` meets.
 *
 * @module
 */
import { describe } from 'vitest';
import { describeAggregateRecorderContract } from './aggregate-recorder.contract.js';
import type { ApplicationRecorderContractOptions } from './capabilities.js';
import { describeConcurrency } from './concurrency.contract.js';
import { describeNotificationSelection } from './notification-selection.contract.js';
import { describeSubscription } from './subscription.contract.js';

/**
 * Declares the application recorder contract as a vitest `describe` block named `name`: the
 * aggregate recorder contract (an application recorder is one), notification ids and selection,
 * subscriptions, and concurrent writers.
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
    describeAggregateRecorderContract('as an aggregate recorder', options);
    describeNotificationSelection(options);
    describeSubscription(options);
    describeConcurrency(options);
  });
}
