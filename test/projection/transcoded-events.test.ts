/**
 * Projections decode notifications with the application's transcoder: a `Date`, a bigint and a
 * registered class reach a handler as themselves, exactly as the aggregate applied them.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Application } from '../../src/application/application.js';
import type { Transcoding } from '../../src/core/transcoder.js';
import { decodeNotification } from '../../src/runtime/projection/decode-notification.js';
import { Bag } from '../support/bag.js';

class Money {
  constructor(readonly cents: bigint) {}
}
const money: Transcoding<Money> = {
  name: 'money',
  type: Money,
  encode: (m) => m.cents,
  decode: (data) => new Money(data as bigint),
};

describe('projected events', () => {
  it('are decoded with the application transcoder, types included', async () => {
    class Shop extends Application {
      static override aggregates = [Bag];
      static override transcodings = [money];
    }
    await using shop = new Shop({ env: { PERSISTENCE_MODULE: 'memory' } });
    const bag = await shop.repository.create(Bag, randomUUID());
    const value = { at: new Date(0), price: new Money(12n), tags: new Set(['a']) };
    await bag.execute({ type: 'put', value });

    const [notification] = await shop.recorder.selectNotifications({ start: 1n, limit: 1 });
    expect(notification).toBeDefined();
    const decoded = await decodeNotification(
      (name) => shop.aggregateDefinition(name),
      notification as NonNullable<typeof notification>,
      shop.name,
      shop.transcoder,
    );
    const projected = (decoded.event as unknown as { value: typeof value }).value;
    expect(projected.price).toBeInstanceOf(Money);
    expect(projected.at).toBeInstanceOf(Date);
    expect(isDeepStrictEqual(projected, bag.getSnapshot().context.values[0])).toBe(true);
  });
});
