/**
 * Recorder contract: after `close()` every method rejects with a `ProgrammingError` saying the
 * recorder is closed (never a synchronous throw, never a hang), and `close()` may be called again.
 *
 * @module
 */
import { expect, it } from 'vitest';
import type { AggregateRecorder } from '../../core/aggregate-recorder.js';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import { isProgrammingError } from '../../core/errors.js';
import { makeEvent, newOriginatorId, within } from './fixtures.js';

/** The calls an aggregate recorder refuses after `close()`, each by name. */
const aggregateCalls = (recorder: AggregateRecorder, version: number) => {
  const id = newOriginatorId();
  return {
    insertEvents: () => recorder.insertEvents([makeEvent(id, version)]),
    appendEvents: () => recorder.appendEvents([makeEvent(id, version)]),
    selectEvents: () => recorder.selectEvents(id),
    deleteStream: () => recorder.deleteStream(id),
  };
};

/** The calls an application recorder refuses after `close()`, each by name. */
const applicationCalls = (recorder: ApplicationRecorder) => ({
  ...aggregateCalls(recorder, 0),
  selectNotifications: () => recorder.selectNotifications({ limit: 10 }),
  maxNotificationId: () => recorder.maxNotificationId(),
  'subscribe().next()': () => recorder.subscribe()[Symbol.asyncIterator]().next(),
});

/** Expects every call to reject with a `ProgrammingError` that says "closed". */
async function expectAllClosed(calls: Record<string, () => Promise<unknown>>): Promise<void> {
  for (const [name, call] of Object.entries(calls)) {
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = call();
    }, `${name} throws synchronously`).not.toThrow();
    const error = await within(
      5_000,
      name,
      (promise as Promise<unknown>).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(isProgrammingError(error), `${name}: ${String(error)}`).toBe(true);
    expect((error as Error).message, name).toMatch(/closed/);
  }
}

/**
 * Declares the use-after-close case of an aggregate (or snapshot) recorder; `version` is the
 * version of the events the refused writes carry.
 */
export function itRefusesUseAfterClose(open: () => Promise<AggregateRecorder>, version = 0): void {
  it('refuses every call after close() with ProgrammingError', async () => {
    const recorder = await open();
    await recorder.close();
    await expectAllClosed(aggregateCalls(recorder, version));
    await expect(recorder.close(), 'a second close()').resolves.toBeUndefined();
  });
}

/** Declares the use-after-close case of an application recorder. */
export function itRefusesApplicationUseAfterClose(open: () => Promise<ApplicationRecorder>): void {
  it('refuses every call after close() with ProgrammingError, subscriptions included', async () => {
    const recorder = await open();
    await recorder.close();
    await expectAllClosed(applicationCalls(recorder));
    await expect(recorder.close(), 'a second close()').resolves.toBeUndefined();
  });
}
