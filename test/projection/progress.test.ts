/**
 * The runner reports progress while catching up (position vs head, events/s) on an Observable
 * and, when asked (or on a terminal), as a progress line; its lifecycle actor shows in an XState
 * inspector.
 */
import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { InspectionEvent } from 'xstate';
import {
  type ProjectionProgress,
  ProjectionRunner,
} from '../../src/application/projection-runner.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import { CountProjection, InMemoryCountersView, TrainingSchool } from '../support/counters-view.js';

/** A view slow enough that catching up takes a while. */
class SlowCountersView extends InMemoryCountersView {
  override async incrTrickCounter(tracking: Tracking): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 2));
    return super.incrTrickCounter(tracking);
  }
}

describe('runner progress', () => {
  it('publishes catching up → live with positions, and prints a progress line when asked', async () => {
    await using school = new TrainingSchool();
    const dog = `dog-${randomUUID()}`;
    await school.register(dog);
    for (let i = 0; i < 400; i++) await school.addTrick(dog, `trick ${i}`);
    const head = await school.recorder.maxNotificationId();
    const written: string[] = [];
    const write = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    const seen: InspectionEvent[] = [];
    try {
      await using runner = new ProjectionRunner({
        application: school,
        projection: CountProjection,
        view: SlowCountersView,
        progressLine: true,
        batchSize: 10,
        inspect: (event) => seen.push(event),
      });
      const progress: ProjectionProgress[] = [];
      const subscription = runner.progress$.subscribe((p) => progress.push(p));
      await runner.wait(head, { timeout: 20_000 });
      // Progress is published right after the commit that resolved the wait.
      await firstValueFrom(
        runner.progress$.pipe(filter((p) => p.state === 'live' && p.position === head)),
      );
      subscription.unsubscribe();
      const catchingUp = progress.filter((p) => p.state === 'catchingUp');
      expect(catchingUp.length).toBeGreaterThan(3);
      expect(catchingUp.every((p) => p.head === head)).toBe(true);
      const positions = catchingUp.map((p) => p.position ?? 0n);
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(progress.at(-1)).toMatchObject({ state: 'live', position: head, processed: 401 });
      expect(progress.some((p) => p.eventsPerSecond > 0)).toBe(true);
      expect(
        written.some((line) =>
          /\[CountProjection\] catching up: position \d+ of 401, \d+ events\/s/.test(line),
        ),
      ).toBe(true);
      // The lifecycle actor, as an inspector sees it.
      const states = seen
        .filter(
          (e) =>
            e.type === '@xstate.snapshot' &&
            (e.actorRef as { id?: string }).id === 'projection:CountProjection',
        )
        .map((e) => (e as unknown as { snapshot: { value: string } }).snapshot.value);
      expect([...new Set(states)]).toEqual(['connecting', 'catchingUp', 'live']);
    } finally {
      write.mockRestore();
    }
  });
});
