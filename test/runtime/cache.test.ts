/**
 * The aggregate cache: LRU by AGGREGATE_CACHE_MAXSIZE, idle passivation by
 * AGGREGATE_IDLE_TIMEOUT, and a reused aggregate fast-forwards from its version.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import type { Application } from '../../src/application/application.js';
import { useApplications } from '../support/applications.js';
import { Counter } from '../support/counter.js';

const uri = inject('kurrentdbUri');

describe('the aggregate cache', () => {
  const open = useApplications('counters', { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri });

  async function started(app: Application, id = randomUUID()) {
    const counter = await app.repository.create(Counter, id);
    await counter.execute({ type: 'start' });
    return { id, counter };
  }

  it('keeps at most AGGREGATE_CACHE_MAXSIZE aggregates, evicting the least recently used', async () => {
    const app = open({ AGGREGATE_CACHE_MAXSIZE: '2' });
    const a = await started(app);
    const b = await started(app);
    await app.repository.get(Counter, a.id); // a is now more recent than b
    const c = await started(app);
    expect(app.repository.cacheStats.size).toBe(2);
    expect(app.repository.instanceOf(Counter, b.id)).toBeUndefined();
    expect(app.repository.instanceOf(Counter, a.id)).toBeDefined();
    expect(app.repository.instanceOf(Counter, c.id)).toBeDefined();
    expect(b.counter.getSnapshot().status).toBe('stopped');
    const reloaded = await app.repository.get(Counter, b.id);
    expect(reloaded).not.toBe(b.counter);
    expect(reloaded.getSnapshot().value).toBe('counting');
  });

  it('returns the same live actor while cached', async () => {
    const app = open();
    const { id, counter } = await started(app);
    expect(await app.repository.get(Counter, id)).toBe(counter);
  });

  it('passivates idle aggregates to their snapshot; using them again brings them back', async () => {
    const app = open({ AGGREGATE_IDLE_TIMEOUT: '0.05' });
    const { id, counter } = await started(app);
    await counter.execute({ type: 'increment', by: 4 });
    const lifecycle = app.repository.instanceOf(Counter, id)?.lifecycle;
    await expect
      .poll(() => app.repository.cacheStats, { timeout: 2_000 })
      .toEqual({ size: 1, live: 0 });
    expect(lifecycle?.getSnapshot().value).toBe('passivated');
    expect(counter.getSnapshot().status).toBe('stopped');
    expect(counter.getSnapshot().context.count).toBe(4);
    // The old handle still executes (through the aggregate's mailbox); a get gives a live actor.
    await counter.execute({ type: 'increment', by: 1 });
    const live = await app.repository.get(Counter, id);
    expect(live).not.toBe(counter);
    expect(live.getSnapshot().context.count).toBe(5);
    expect(live.version).toBe(2);
    expect(app.repository.cacheStats.live).toBe(1);
  });

  it('a reused aggregate fast-forwards from its version to see other writers', async () => {
    const a = open({ AGGREGATE_CACHE_FASTFORWARD: 'no' });
    const b = open();
    const { id } = await started(a);
    const cached = await a.repository.get(Counter, id);
    await (await b.repository.get(Counter, id)).execute({ type: 'increment', by: 9 });
    // Live and fast-forward off: the cached actor is returned as it is.
    expect((await a.repository.get(Counter, id)).getSnapshot().context.count).toBe(0);
    // Passivated: reuse always fast-forwards from the cached version.
    expect(a.repository.passivateIdle(0)).toBe(1);
    const reused = await a.repository.get(Counter, id);
    expect(reused).not.toBe(cached);
    expect(reused.getSnapshot().context.count).toBe(9);
    expect(reused.version).toBe(1);
    // With fast-forward on (the default), a live cached aggregate catches up on get too.
    await (await a.repository.get(Counter, id)).execute({ type: 'increment', by: 1 });
    expect((await b.repository.get(Counter, id)).getSnapshot().context.count).toBe(10);
  });
});
