/**
 * How the contract suites check that a refused write stored nothing: no event to select and, for
 * an application recorder, no notification.
 *
 * @module
 */
import { expect } from 'vitest';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import { selectOwnNotifications } from './fixtures.js';

/** A check that nothing of some originators was stored between `mark` and `expectNothing`. */
export interface NothingStoredCheck<TRecorder extends AggregateRecorder> {
  /** Taken before the write that must store nothing (the max notification id, or nothing). */
  mark(recorder: TRecorder): Promise<bigint | undefined>;
  /** Fails when an event (or a notification after `mark`) of `originatorIds` is stored. */
  expectNothing(
    recorder: TRecorder,
    mark: bigint | undefined,
    originatorIds: readonly string[],
  ): Promise<void>;
}

/** Checks with `selectEvents` only. */
export const NO_EVENTS: NothingStoredCheck<AggregateRecorder> = {
  mark: async () => undefined,
  async expectNothing(recorder, _mark, originatorIds) {
    for (const id of originatorIds) {
      await expect(recorder.selectEvents(id), `events of '${id}'`).resolves.toEqual([]);
    }
  },
};

/** Checks with `selectEvents` and the notifications after the max id taken before the write. */
export const NO_EVENTS_NOR_NOTIFICATIONS: NothingStoredCheck<ApplicationRecorder> = {
  mark: (recorder) => recorder.maxNotificationId(),
  async expectNothing(recorder, mark, originatorIds) {
    await NO_EVENTS.expectNothing(recorder, mark, originatorIds);
    const notifications = await selectOwnNotifications(recorder, originatorIds, { after: mark });
    expect(notifications, 'notifications').toEqual([]);
  },
};
