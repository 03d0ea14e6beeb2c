import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { OperationTimedOutError } from '../../../src/adapters/kurrentdb/client-errors.js';
import { consumeWithinDeadline, withinDeadline } from '../../../src/adapters/kurrentdb/deadline.js';

const later = <T>(ms: number, value: T) => sleep(ms).then(() => value);

async function* ticks(count: number, everyMs: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    await sleep(everyMs);
    yield i;
  }
}

describe('withinDeadline', () => {
  it('resolves and rejects like the promise when it settles in time', async () => {
    await expect(withinDeadline(later(5, 'ok'), 200, 'fast')).resolves.toBe('ok');
    await expect(withinDeadline(Promise.reject(new Error('boom')), 200, 'x')).rejects.toThrow(
      'boom',
    );
  });

  it('rejects with OperationTimedOutError naming the operation when it does not', async () => {
    const started = performance.now();
    const error = await withinDeadline(new Promise(() => undefined), 40, 'Reading stream x').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationTimedOutError);
    expect(String(error)).toContain('Reading stream x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('keeps every pending call on its own deadline', async () => {
    const short = withinDeadline(new Promise(() => undefined), 30, 'short').catch(
      (e: unknown) => e,
    );
    const long = withinDeadline(later(80, 'long'), 400, 'long');
    const longer = withinDeadline(new Promise(() => undefined), 150, 'longer').catch(
      (e: unknown) => e,
    );
    expect(await short).toBeInstanceOf(OperationTimedOutError);
    await expect(long).resolves.toBe('long');
    expect(await longer).toBeInstanceOf(OperationTimedOutError);
  });
});

describe('consumeWithinDeadline', () => {
  it('lets a steady read run past the deadline: each item pushes it back', async () => {
    const items: number[] = [];
    await consumeWithinDeadline(ticks(8, 15), 60, 'steady', (i) => items.push(i));
    expect(items).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('fails a read that stalls between items', async () => {
    async function* stall(): AsyncGenerator<number> {
      yield 1;
      await new Promise(() => undefined);
    }
    const items: number[] = [];
    const error = await consumeWithinDeadline(stall(), 40, 'stalled read', (i) =>
      items.push(i),
    ).catch((e: unknown) => e);
    expect(items).toEqual([1]);
    expect(error).toBeInstanceOf(OperationTimedOutError);
  });

  it('rejects with the error of the source or of the item handler', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('source failed');
    }
    await expect(consumeWithinDeadline(failing(), 200, 'x', () => undefined)).rejects.toThrow(
      'source failed',
    );
    await expect(
      consumeWithinDeadline(ticks(3, 1), 200, 'x', () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
  });
});
