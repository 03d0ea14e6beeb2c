/**
 * Application: its name, the environment precedence (class env < process.env < constructor env,
 * prefixed keys first), persistence through createPersistence, close and async dispose.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import { ConfigurationError, ProgrammingError } from '../../src/core/errors.js';

const uri = inject('kurrentdbUri');

class TrainingSchool extends Application {
  static override env = {
    PERSISTENCE_MODULE: 'kurrentdb',
    KURRENTDB_URI: 'kurrentdb://nowhere:1?tls=false',
  };
}

describe('Application', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('is named after its class unless told otherwise', async () => {
    class Orders extends Application {}
    class Renamed extends Application {
      static override applicationName = 'training_school';
    }
    await using orders = new Orders();
    await using renamed = new Renamed();
    await using given = new Orders({ name: 'custom' });
    expect(orders.name).toBe('Orders');
    expect(renamed.name).toBe('training_school');
    expect(renamed.env.createKeys('KURRENTDB_URI')).toEqual([
      'TRAINING_SCHOOL_KURRENTDB_URI',
      'KURRENTDB_URI',
    ]);
    expect(given.name).toBe('custom');
    expect(orders.persistence.module).toBe('memory');
  });

  it('takes class env < process.env < constructor env, prefixed keys first', async () => {
    process.env.TRAININGSCHOOL_KURRENTDB_URI = uri;
    await using fromProcess = new TrainingSchool();
    expect(fromProcess.persistence.module).toBe('kurrentdb');
    expect(fromProcess.env.get('KURRENTDB_URI')).toBe(uri);
    await fromProcess.recorder.maxNotificationId();

    process.env.TRAININGSCHOOL_AGGREGATE_COMMAND_RETRIES = '7';
    await using fromCtor = new TrainingSchool({ env: { PERSISTENCE_MODULE: 'memory' } });
    expect(fromCtor.persistence.module).toBe('memory');
    expect(fromCtor.env.get('AGGREGATE_COMMAND_RETRIES')).toBe('7');
    expect(fromCtor.env.get('KURRENTDB_URI')).toBe(uri);

    delete process.env.TRAININGSCHOOL_KURRENTDB_URI;
    process.env.KURRENTDB_URI = uri;
    await using plainKey = new TrainingSchool();
    // The class env has KURRENTDB_URI too, but process.env beats it.
    expect(plainKey.env.get('KURRENTDB_URI')).toBe(uri);
  });

  it('builds persistence through createPersistence, with its errors', () => {
    expect(
      () =>
        new Application({
          name: 'orders',
          env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: '' },
        }),
    ).toThrow(/'ORDERS_KURRENTDB_URI, KURRENTDB_URI'/);
    expect(() => new Application({ env: { PERSISTENCE_MODULE: 'sqlite3' } })).toThrow(
      ConfigurationError,
    );
    expect(() => new Application({ env: { AGGREGATE_CACHE_MAXSIZE: 'lots' } })).toThrow(
      /Invalid value 'lots' of 'APPLICATION_AGGREGATE_CACHE_MAXSIZE, AGGREGATE_CACHE_MAXSIZE': expected a whole number/,
    );
    expect(() => new Application({ env: { IS_SNAPSHOTTING_ENABLED: 'maybe' } })).toThrow(
      /expected one of y, yes, t, true, on, 1 or n, no/,
    );
  });

  it('a new instance with the same env sees the same aggregates', async () => {
    const env = { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri };
    const id = randomUUID();
    {
      await using first = new Application({ name: 'school', env });
      const dog = await first.repository.create(Dog, id);
      await dog.execute({ type: 'register', name: 'Fido' });
      await dog.execute({ type: 'addTrick', trick: 'sit' });
    }
    await using second = new Application({ name: 'school', env });
    const dog = await second.repository.get(Dog, id);
    expect(dog.getSnapshot().context).toEqual({ name: 'Fido', tricks: ['sit'] });
    expect(await second.recorder.maxNotificationId()).toBeGreaterThan(0n);
  });

  it('close finishes queued commands, then refuses work; it is idempotent', async () => {
    const app = new Application();
    const dog = await app.repository.create(Dog, randomUUID());
    const pending = dog.execute({ type: 'register', name: 'Fido' });
    await Promise.all([app.close(), app.close()]);
    expect((await pending).map((r) => r.event.type)).toEqual(['Registered']);
    await expect(app.repository.get(Dog, 'x')).rejects.toThrow(ProgrammingError);
    await expect(dog.execute({ type: 'addTrick', trick: 'sit' })).rejects.toThrow(
      /closed application/,
    );
  });
});
