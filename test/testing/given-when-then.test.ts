import { describe, expect, it } from 'vitest';
import { Dog, type dogMachine } from '../../machines/dog.js';
import { CommandRejectedError, ProgrammingError } from '../../src/core/errors.js';
import { ExpectationError, given, type Outcome } from '../../src/testing/given-when-then.js';

const registered = [{ type: 'Registered', name: 'Fido' }] as const;

const failure = async (promise: Promise<unknown>): Promise<Error> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
};

describe('given/when/then', () => {
  it('given(...).snapshot is the replayed state', () => {
    const snapshot = given(Dog, [...registered, { type: 'TrickAdded', trick: 'sit' }]).snapshot;
    expect(snapshot.value).toBe('registered');
    expect(snapshot.context).toEqual({ name: 'Fido', tricks: ['sit'] });
    expect(given(Dog).snapshot.value).toBe('unregistered');
  });

  it('then(events) resolves with the events and the resulting snapshot', async () => {
    const outcome = await given(Dog)
      .when({ type: 'register', name: 'Fido' })
      .then([{ type: 'Registered', name: 'Fido' }]);
    expect(outcome?.events).toEqual([{ type: 'Registered', name: 'Fido' }]);
    expect(outcome?.snapshot.context.name).toBe('Fido');
  });

  it('then() with wrong events throws ExpectationError listing both', async () => {
    const error = await failure(
      given(Dog)
        .when({ type: 'register', name: 'Fido' })
        .then([{ type: 'Registered', name: 'Rex' }]),
    );
    expect(error).toBeInstanceOf(ExpectationError);
    expect(error.name).toBe('ExpectationError');
    expect(error.message).toContain(JSON.stringify([{ type: 'Registered', name: 'Fido' }]));
    expect(error.message).toContain(JSON.stringify([{ type: 'Registered', name: 'Rex' }]));
  });

  it('then() with too many or too few events throws ExpectationError', async () => {
    const when = () => given(Dog).when({ type: 'register', name: 'Fido' });
    await expect(when().then([])).rejects.toBeInstanceOf(ExpectationError);
    await expect(
      when().then([
        { type: 'Registered', name: 'Fido' },
        { type: 'Registered', name: 'Fido' },
      ]),
    ).rejects.toBeInstanceOf(ExpectationError);
  });

  it('expecting events but getting an error throws ExpectationError with the cause', async () => {
    const error = await failure(
      given(Dog)
        .when({ type: 'addTrick', trick: 'sit' })
        .then([{ type: 'TrickAdded', trick: 'sit' }]),
    );
    expect(error).toBeInstanceOf(ExpectationError);
    expect(error.message).toContain('TrickAdded');
    expect(error.message).toContain('rejected command');
    expect(error.cause).toBeInstanceOf(CommandRejectedError);
  });

  it('expecting an error but getting events throws ExpectationError', async () => {
    const error = await failure(
      given(Dog).when({ type: 'register', name: 'Fido' }).then(CommandRejectedError),
    );
    expect(error).toBeInstanceOf(ExpectationError);
    expect(error.message).toContain('to fail');
    expect(error.message).toContain(JSON.stringify([{ type: 'Registered', name: 'Fido' }]));
    await expect(
      given(Dog)
        .when({ type: 'register', name: 'Fido' })
        .then(() => true),
    ).rejects.toBeInstanceOf(ExpectationError);
  });

  it('an error of another class than expected throws ExpectationError', async () => {
    const error = await failure(
      given(Dog).when({ type: 'addTrick', trick: 'sit' }).then(ProgrammingError),
    );
    expect(error).toBeInstanceOf(ExpectationError);
    expect(error.message).toContain('not as expected');
    expect(error.cause).toBeInstanceOf(CommandRejectedError);
  });

  it('then(ErrorClass) resolves undefined on a matching error', async () => {
    await expect(
      given(Dog).when({ type: 'addTrick', trick: 'sit' }).then(CommandRejectedError),
    ).resolves.toBeUndefined();
    await expect(
      given(Dog).when({ type: 'addTrick', trick: 'sit' }).then(Error),
    ).resolves.toBeUndefined();
  });

  it('predicate form: receives the error; false is an ExpectationError', async () => {
    const seen: unknown[] = [];
    await given(Dog)
      .when({ type: 'addTrick', trick: 'sit' })
      .then((error) => {
        seen.push(error);
        return true;
      });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(CommandRejectedError);
    expect((seen[0] as CommandRejectedError).command).toBe('addTrick');

    await expect(
      given(Dog)
        .when({ type: 'addTrick', trick: 'sit' })
        .then((error) => error instanceof ProgrammingError),
    ).rejects.toBeInstanceOf(ExpectationError);
  });

  it('a function-keyword predicate is called, not mistaken for an error class', async () => {
    let called = false;
    await given(Dog)
      .when({ type: 'addTrick', trick: 'sit' })
      .then(function isRejection(error) {
        called = true;
        return error instanceof CommandRejectedError;
      });
    expect(called).toBe(true);
  });

  it('awaiting the When directly resolves with the outcome', async () => {
    const when = given(Dog, [...registered]).when({ type: 'addTrick', trick: 'sit' });
    // At run time `await when` works; the cast only because When's `then` signature is not
    // PromiseLike-compatible for TypeScript (TS1320 on a bare `await when`).
    const outcome = await (when as unknown as PromiseLike<Outcome<typeof dogMachine>>);
    expect(outcome?.events).toEqual([{ type: 'TrickAdded', trick: 'sit' }]);
    expect(outcome?.snapshot.context.tricks).toEqual(['sit']);
  });

  it('awaiting the When directly rejects with the decision error', async () => {
    const error = await failure(
      Promise.resolve(given(Dog).when({ type: 'addTrick', trick: 'sit' })),
    );
    expect(error).toBeInstanceOf(CommandRejectedError);
  });

  it('decide() reports without asserting', async () => {
    const outcome = await given(Dog).when({ type: 'register', name: 'Fido' }).decide();
    expect(outcome.events).toEqual([{ type: 'Registered', name: 'Fido' }]);
    expect(outcome.snapshot.value).toBe('registered');
    await expect(
      given(Dog).when({ type: 'addTrick', trick: 'sit' }).decide(),
    ).rejects.toBeInstanceOf(CommandRejectedError);
  });

  it('the aggregate id given appears in rejections', async () => {
    await given(Dog, [], 'dog-42')
      .when({ type: 'addTrick', trick: 'sit' })
      .then((e) => e instanceof CommandRejectedError && e.aggregateId === 'dog-42');
  });
});
