import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createPersistence, type Persistence } from '../../src/application/persistence.js';
import { Environment } from '../../src/core/environment.js';
import { ConfigurationError } from '../../src/core/errors.js';

const uri = inject('kurrentdbUri');
const opened: Persistence[] = [];
const open = (...args: Parameters<typeof createPersistence>) => {
  const persistence = createPersistence(...args);
  opened.push(persistence);
  return persistence;
};

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

describe('Environment', () => {
  it('looks up the prefixed key first, then the plain key', () => {
    const env = new Environment('orders', {
      KURRENTDB_URI: 'plain',
      ORDERS_KURRENTDB_URI: 'prefixed',
    });
    expect(env.createKeys('KURRENTDB_URI')).toEqual(['ORDERS_KURRENTDB_URI', 'KURRENTDB_URI']);
    expect(env.get('KURRENTDB_URI')).toBe('prefixed');
    expect(new Environment('other', { KURRENTDB_URI: 'plain' }).get('KURRENTDB_URI')).toBe('plain');
  });

  it('lets later values override earlier ones; an empty string clears a key', () => {
    const env = new Environment('', { A: '1', B: '1' }, { A: '2', B: '' });
    expect(env.get('A')).toBe('2');
    expect(env.get('B')).toBeUndefined();
    expect(env.get('C', 'fallback')).toBe('fallback');
  });
});

describe('createPersistence', () => {
  it('defaults to the memory module', async () => {
    const persistence = open({
      name: 'app',
      env: { PERSISTENCE_MODULE: '', APP_PERSISTENCE_MODULE: '' },
    });
    expect(persistence.module).toBe('memory');
    expect(await persistence.applicationRecorder.maxNotificationId()).toBe(0n);
  });

  it('chooses kurrentdb from the prefixed keys, case-insensitively', async () => {
    const persistence = open({
      name: 'orders',
      env: {
        ORDERS_PERSISTENCE_MODULE: 'KurrentDB',
        ORDERS_KURRENTDB_URI: uri,
        KURRENTDB_URI: 'esdb://nowhere:1',
      },
    });
    expect(persistence.module).toBe('kurrentdb');
    const id = `order-${randomUUID()}`;
    const [position] = await persistence.applicationRecorder.insertEvents([
      {
        originatorId: id,
        originatorVersion: 0,
        topic: 'Order.Placed',
        state: new Uint8Array([1]),
        metadata: {},
        eventId: randomUUID(),
      },
    ]);
    expect(position).toBeGreaterThan(0n);
    expect(await persistence.applicationRecorder.selectEvents(id)).toHaveLength(1);
  });

  it('rejects an unknown module, naming the keys and the choices', () => {
    expect(() => open({ name: 'orders', env: { PERSISTENCE_MODULE: 'mongodb' } })).toThrowError(
      expect.objectContaining({
        code: 'CONFIGURATION',
        message: expect.stringMatching(
          /'mongodb'.*ORDERS_PERSISTENCE_MODULE, PERSISTENCE_MODULE.*'memory', 'kurrentdb'/,
        ),
      }),
    );
  });

  it('requires KURRENTDB_URI for kurrentdb and names both keys it looked for', () => {
    const attempt = () =>
      open({
        name: 'orders',
        env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: '', ORDERS_KURRENTDB_URI: '' },
      });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(
      "'KURRENTDB_URI' not found in environment with keys: 'ORDERS_KURRENTDB_URI, KURRENTDB_URI'",
    );
  });

  it.each([
    ['http://localhost:2113', /scheme/i],
    ['kurrentdb://', /host/i],
    ['kurrentdb://localhost:notaport?tls=false', /port/i],
    ['kurrentdb://localhost:2113?tls=maybe', /tls/i],
  ])('fails at construction on the malformed URI %s, saying what is wrong', (bad, problem) => {
    expect(() =>
      open({ env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: bad } }),
    ).toThrowError(
      expect.objectContaining({ code: 'CONFIGURATION', message: expect.stringMatching(problem) }),
    );
  });

  it('never shows the password of a malformed URI', () => {
    const attempt = () =>
      open({
        env: {
          PERSISTENCE_MODULE: 'kurrentdb',
          KURRENTDB_URI: 'kurrentdb://admin:s3cret@localhost:x',
        },
      });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).not.toThrow(/s3cret/);
  });
});
