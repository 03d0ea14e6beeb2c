/**
 * The in-memory process store: process instances in a map, beside the in-memory tracking
 * recorder's records. The default store of a process manager, and the reference the SQLite and
 * PostgreSQL stores are checked against. Nothing survives the process.
 *
 * @module
 */
import {
  checkProcessInstance,
  checkProcessKey,
  checkProcessName,
} from '../../core/process-instance-checks.js';
import type { ProcessInstanceRecord, ProcessStore } from '../../core/process-store.js';
import type { Tracking } from '../../core/tracking-recorder.js';
import { ClosedGuard } from './closed-guard.js';
import { MemoryTrackingRecorder } from './tracking-recorder.js';

/**
 * A {@link ProcessStore} in memory. A save with tracking checks the tracking id, stores the
 * instance and records the tracking in one lock section of {@link MemoryTrackingRecorder}, so a
 * rejected id (`IntegrityError`) leaves the instance unchanged. Like every memory view it has no
 * `batch`: each save applies at once.
 *
 * After {@link close} its process-store methods reject with `ProgrammingError` (as the in-memory
 * recorders do); the tracking methods behave as the memory tracking recorder's.
 */
export class MemoryProcessStore extends MemoryTrackingRecorder implements ProcessStore {
  /** Per process name, its instances by correlation id. */
  readonly #instances = new Map<string, Map<string, ProcessInstanceRecord>>();
  readonly #guard = new ClosedGuard('MemoryProcessStore');

  async loadInstance(
    processName: string,
    correlationId: string,
  ): Promise<ProcessInstanceRecord | undefined> {
    checkProcessKey(processName, correlationId);
    this.#guard.assertOpen();
    return this.#instances.get(processName)?.get(correlationId);
  }

  /** @throws IntegrityError when `tracking`'s id is not greater than its application's max. */
  saveInstance(record: ProcessInstanceRecord, tracking?: Tracking): Promise<void> {
    return this.withLock(() => {
      const copy = checkProcessInstance(record, tracking);
      this.#guard.assertOpen();
      if (tracking !== undefined) this.assertTrackingUniqueness(tracking);
      let instances = this.#instances.get(copy.processName);
      if (instances === undefined) {
        instances = new Map();
        this.#instances.set(copy.processName, instances);
      }
      instances.set(copy.correlationId, Object.freeze(copy));
      if (tracking !== undefined) this.insertTrackingUnlocked(tracking);
    });
  }

  async instancesWithTimers(processName: string): Promise<ProcessInstanceRecord[]> {
    const withTimers = (await this.instances(processName)).filter(
      (r) => r.nextTimerAt !== undefined,
    );
    // Stable: instances due at the same time stay in correlation-id order.
    return withTimers.sort((a, b) => (a.nextTimerAt ?? 0) - (b.nextTimerAt ?? 0));
  }

  async instances(processName: string): Promise<ProcessInstanceRecord[]> {
    checkProcessName(processName);
    this.#guard.assertOpen();
    const instances = [...(this.#instances.get(processName)?.values() ?? [])];
    return instances.sort((a, b) => compareCodePoints(a.correlationId, b.correlationId));
  }

  /** Refuses further use of the process-store methods; see {@link MemoryTrackingRecorder.close}. */
  override async close(): Promise<void> {
    this.#guard.close();
    await super.close();
  }
}

/**
 * Orders strings by Unicode code point, as SQLite (`BINARY`) and PostgreSQL (`COLLATE "C"` on
 * UTF-8) order them; JavaScript's `<` compares UTF-16 code units, which puts U+10000 and above
 * before U+E000–U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++; // both strings have the same surrogate pair here
  }
  return a.length - b.length;
}
