/**
 * Chaos (issue 8 item 5): a three-node test cluster whose leader fails every 2 s while two
 * applications execute 5,000 commands through aggregate actors on 50 aggregates and a live
 * projection writes a SQLite view. Afterwards every command that resolved is in its stream exactly
 * once, no event id is in $all twice, and the view equals a rebuild from scratch.
 */
import { randomUUID } from 'node:crypto';
import diagnostics_channel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SQLiteDatabase, SQLiteTrackingRecorder } from '../../src/adapters/sqlite/index.js';
import { Application } from '../../src/application/application.js';
import { createPersistence } from '../../src/application/persistence.js';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import { CONFLICT_CHANNEL, RETRY_CHANNEL } from '../../src/core/diagnostics.js';
import type { Tracking } from '../../src/core/tracking-recorder.js';
import { Projection } from '../../src/runtime/projection/projection.js';
import { clusterCapabilities } from '../../src/testing/index.js';
import { Counter } from '../support/counter.js';
import { controlOf, startAll, useClusterHarness } from './support/cluster.js';

const AGGREGATES = 50;
const COMMANDS = 5_000;
const WORKERS_PER_APP = 10;
const FAILOVER_EVERY_MS = 2_000;
/** The first failure comes soon after the commands start, then one every 2 s. */
const FIRST_FAILOVER_MS = 500;

interface TotalsRow {
  readonly stream: string;
  readonly n: bigint;
  readonly last_version: bigint;
}

/** Events and last version per stream. */
class TotalsView extends SQLiteTrackingRecorder {
  protected override createViewTables(db: SQLiteDatabase): void {
    db.exec(
      'CREATE TABLE IF NOT EXISTS totals (stream TEXT PRIMARY KEY, n INTEGER NOT NULL, last_version INTEGER NOT NULL)',
    );
  }

  add(stream: string, version: number, tracking: Tracking): Promise<void> {
    return this.trackedTransaction(tracking, (db) => {
      db.prepare(
        `INSERT INTO totals VALUES (?, 1, ?)
         ON CONFLICT (stream) DO UPDATE SET n = n + 1, last_version = excluded.last_version`,
      ).run(stream, version);
    });
  }

  rows(): Promise<TotalsRow[]> {
    return this.readCommitted(
      (db) => db.prepare('SELECT * FROM totals ORDER BY stream').all() as TotalsRow[],
    );
  }
}

class TotalsProjection extends Projection<TotalsView> {
  static override topics = ['Counter.Started', 'Counter.Incremented'];
  static override projectionName = 'totals';

  constructor(view: TotalsView) {
    super(view);
    const add = (
      _: unknown,
      tracking: Tracking,
      context: { streamName: string; version: number },
    ) => this.view.add(context.streamName, context.version, tracking);
    this.on(Counter, { Started: add, Incremented: add });
  }
}

class Chaos extends Application {
  static override aggregates = [Counter];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.runIf(clusterCapabilities().nodeControl)('chaos on a three-node cluster', () => {
  const harness = useClusterHarness();
  const dir = mkdtempSync(join(tmpdir(), 'chaos-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses and duplicates nothing while the leader fails every 2 s', async () => {
    const control = controlOf(harness());
    const env = { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: harness().multiHostUri };
    const viewEnv = (file: string) => ({
      ...env,
      TOTALS_PERSISTENCE_MODULE: 'sqlite',
      TOTALS_SQLITE_DBNAME: join(dir, file),
    });
    let retries = 0;
    let conflicts = 0;
    const onRetry = () => retries++;
    const onConflict = () => conflicts++;
    diagnostics_channel.subscribe(RETRY_CHANNEL, onRetry);
    diagnostics_channel.subscribe(CONFLICT_CHANNEL, onConflict);
    const apps = [new Chaos({ env }), new Chaos({ env })];
    const runner = new ProjectionRunner({
      application: Chaos,
      projection: TotalsProjection,
      view: TotalsView,
      env: viewEnv('live.db'),
      progressLine: false,
    });
    const started = performance.now();
    const ids = Array.from({ length: AGGREGATES }, () => randomUUID());
    try {
      const [first] = apps as [Chaos, Chaos];
      for (const id of ids) {
        const counter = await first.repository.create(Counter, id);
        await counter.execute({ type: 'start' });
      }

      // The chaos: every 2 s the leader fails — stopping (the previous one comes back first),
      // stepping down, or stopping in the middle of an append it committed but never acknowledged.
      let done = false;
      let failovers = 0;
      const chaos = (async () => {
        const modes = [
          { how: 'stop', afterCommit: true },
          { how: 'step-down' },
          { how: 'stop' },
        ] as const;
        for (let wait = FIRST_FAILOVER_MS; !done; wait = FAILOVER_EVERY_MS) {
          await sleep(wait);
          if (done) break;
          await startAll(control);
          const mode = modes[failovers % modes.length] as (typeof modes)[number];
          const failover = control.failover(mode);
          // A fault that waits for the next append must not outlive the commands.
          await Promise.race([
            failover,
            (async () => {
              while (!done) await sleep(50);
            })(),
          ]);
          failovers++;
        }
      })();

      // The commands: each with its own command id, so every event names the command it came from.
      const resolved = new Map<string, Set<string>>(); // stream → command ids
      let failed = 0;
      let next = 0;
      const perApp = apps.map((app) =>
        Promise.all(
          Array.from({ length: WORKERS_PER_APP }, async () => {
            while (next < COMMANDS) {
              const n = next++;
              const id = ids[(n * 7) % AGGREGATES] as string;
              const commandId = randomUUID();
              try {
                const counter = await app.repository.get(Counter, id);
                const [recording] = await counter.execute({ type: 'increment' }, { commandId });
                const stream = recording?.notification.originatorId as string;
                const commands = resolved.get(stream) ?? new Set<string>();
                resolved.set(stream, commands);
                commands.add(commandId);
              } catch {
                failed++;
              }
            }
          }),
        ),
      );
      await Promise.all(perApp);
      const commandsMs = performance.now() - started;
      done = true;
      await chaos;
      await startAll(control);

      // Every resolved command is in its stream exactly once; no event id twice in $all.
      const reader = createPersistence({ env });
      try {
        let events = 0;
        for (const id of ids) {
          const stored = await reader.applicationRecorder.selectEvents(`Counter-${id}`);
          events += stored.length;
          const commandIds = stored
            .map((event) => event.metadata.commandId)
            .filter((commandId): commandId is string => typeof commandId === 'string');
          expect(new Set(commandIds).size).toBe(commandIds.length);
          for (const commandId of resolved.get(`Counter-${id}`) ?? []) {
            expect(commandIds).toContain(commandId);
          }
          expect(stored.map((event) => event.originatorVersion)).toEqual(
            stored.map((_, version) => version),
          );
        }
        const all = await reader.applicationRecorder.selectNotifications({
          start: 0n,
          limit: 1_000_000,
        });
        const eventIds = all.map((n) => n.eventId);
        expect(new Set(eventIds).size).toBe(eventIds.length);
        const resolvedCount = [...resolved.values()].reduce((sum, s) => sum + s.size, 0);
        expect(events).toBeGreaterThanOrEqual(AGGREGATES + resolvedCount);
        // Commands fail only when their retries run out: a few at most.
        expect(failed).toBeLessThan(COMMANDS / 100);

        // The live view equals a rebuild from scratch, and the streams.
        const head = await reader.applicationRecorder.maxNotificationId();
        await runner.wait(head, { timeout: 60_000 });
        const live = await runner.view.rows();
        await using rebuild = new ProjectionRunner({
          application: Chaos,
          projection: TotalsProjection,
          view: TotalsView,
          env: viewEnv('rebuild.db'),
          progressLine: false,
        });
        await rebuild.wait(head, { timeout: 60_000 });
        expect(live).toEqual(await rebuild.view.rows());
        expect(live.reduce((sum, row) => sum + row.n, 0n)).toBe(BigInt(events));
        expect(live).toHaveLength(AGGREGATES);

        console.log(
          `[chaos] ${COMMANDS} commands from 2 applications on ${AGGREGATES} aggregates: ${resolvedCount} resolved, ${failed} failed; ${failovers} failovers (every ${FAILOVER_EVERY_MS / 1000} s); ${retries} retries on a fresh connection, ${conflicts} conflicts decided again; ${events} events; commands took ${(commandsMs / 1000).toFixed(1)} s, all checks ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
        // Every failure that was due while the commands ran happened (at least the first one).
        const due = 1 + Math.floor((commandsMs - FIRST_FAILOVER_MS) / FAILOVER_EVERY_MS);
        expect(failovers).toBeGreaterThanOrEqual(Math.max(1, due - 1));
        // The failovers were felt: operations ran again on a fresh connection.
        expect(retries).toBeGreaterThan(0);
      } finally {
        await reader.close();
      }
    } finally {
      diagnostics_channel.unsubscribe(RETRY_CHANNEL, onRetry);
      diagnostics_channel.unsubscribe(CONFLICT_CHANNEL, onConflict);
      await runner[Symbol.asyncDispose]().catch(() => undefined);
      await Promise.all(apps.map((app) => app.close()));
    }
  }, 180_000);
});
