import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  escapeRegex,
  KurrentDBApplicationRecorder,
  KurrentDBConnection,
  topicsRegex,
} from '../../../src/adapters/kurrentdb/index.js';
import { makeEvent, takeOwn } from '../../../src/testing/contract/fixtures.js';

describe('topic regex', () => {
  it('escapes every regex metacharacter', () => {
    const nasty = 'a.b|c$d(e)f[g]h{i}j*k+l?m^n\\o';
    expect(escapeRegex(nasty)).toBe('a\\.b\\|c\\$d\\(e\\)f\\[g\\]h\\{i\\}j\\*k\\+l\\?m\\^n\\\\o');
    expect(new RegExp(`^${escapeRegex(nasty)}$`).test(nasty)).toBe(true);
  });

  it('groups the alternation and anchors it at both ends', () => {
    expect(topicsRegex(['a', 'b.c'])).toBe('^(?:a|b\\.c)$');
    const regex = new RegExp(topicsRegex(['a', 'c']));
    expect(['a', 'c'].map((t) => regex.test(t))).toEqual([true, true]);
    // Python's ungrouped ^a|c$ would match all of these.
    expect(['a-suffix', 'prefix-c', 'xcx', 'ab'].some((t) => regex.test(t))).toBe(false);
  });
});

describe('KurrentDBApplicationRecorder topics against the server', () => {
  const uri = inject('kurrentdbUri');
  const open: KurrentDBApplicationRecorder[] = [];
  const recorder = () => {
    const r = new KurrentDBApplicationRecorder(new KurrentDBConnection({ uri }));
    open.push(r);
    return r;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });

  it('matches topics containing . | $ ( literally, and only whole topics', async () => {
    const r = recorder();
    const u = randomUUID();
    const t1 = `my.app:Dog|Cat$(${u})`;
    const t2 = `my.app:Trick(${u})+`;
    const decoys = [
      `myXapp:Dog|Cat$(${u})`, // '.' as a wildcard
      `my.app:Dog`, // ungrouped alternation: ^my.app:Dog
      `Cat$(${u})`, // ungrouped alternation: Cat$(...)$
      `prefix-${t1}`, // unanchored start
      `${t2}-suffix`, // unanchored end
      `my.app:Trick(${u})`, // '+' as a quantifier
    ];
    const ids: string[] = [randomUUID(), randomUUID(), ...decoys.map(() => randomUUID())];
    const start = await r.maxNotificationId();
    const topics = [t1, t2, ...decoys];
    for (const [i, id] of ids.entries()) {
      await r.insertEvents([makeEvent(id, 0, { topic: topics[i] as string })]);
    }

    const selected = await r.selectNotifications({
      start,
      inclusiveOfStart: false,
      limit: 100,
      topics: [t1, t2],
    });
    const mine = selected.filter((n) => ids.includes(n.originatorId));
    expect(mine.map((n) => n.topic)).toEqual([t1, t2]);

    const subscription = r.subscribe({ gt: start, topics: [t1, t2] });
    try {
      const iterator = subscription[Symbol.asyncIterator]();
      const received = await takeOwn(iterator, ids, 2);
      expect(received.map((n) => n.topic)).toEqual([t1, t2]);
      // A later event of a subscribed topic arrives next: nothing from the decoys came between.
      const last = randomUUID();
      ids.push(last);
      await r.insertEvents([makeEvent(last, 0, { topic: t2 })]);
      const [next] = await takeOwn(iterator, ids, 1);
      expect(next?.originatorId).toBe(last);
    } finally {
      subscription.stop();
    }
  });
});
