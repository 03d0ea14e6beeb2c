import { describe, expect, it } from 'vitest';
import { CommandRejectedError } from '../src/core/errors.js';
import { given } from '../src/testing/given-when-then.js';
import { Dog } from './dog.js';

const registered = [{ type: 'Registered', name: 'Fido' }] as const;

describe('Dog', () => {
  it('is classified: commands and domain events', () => {
    expect([...Dog.commandTypes].sort()).toEqual(['addTrick', 'register']);
    expect([...Dog.eventTypes].sort()).toEqual(['Registered', 'TrickAdded']);
  });

  it('register emits Registered and names the dog', async () => {
    const outcome = await given(Dog)
      .when({ type: 'register', name: 'Fido' })
      .then([{ type: 'Registered', name: 'Fido' }]);
    expect(outcome?.snapshot.value).toBe('registered');
    expect(outcome?.snapshot.context).toEqual({ name: 'Fido', tricks: [] });
  });

  it('register twice is rejected, naming the state', async () => {
    const error = await given(Dog, [...registered])
      .when({ type: 'register', name: 'Rex' })
      .decide()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejectedError);
    const rejected = error as CommandRejectedError;
    expect(rejected.state).toBe('registered');
    expect(rejected.command).toBe('register');
    expect(rejected.message).toContain('"registered"');
    expect(rejected.message).toContain("'register'");
    await given(Dog, [...registered])
      .when({ type: 'register', name: 'Rex' })
      .then(CommandRejectedError);
  });

  it('addTrick before register is rejected', async () => {
    await given(Dog)
      .when({ type: 'addTrick', trick: 'sit' })
      .then((e) => e instanceof CommandRejectedError && e.state === 'unregistered');
  });

  it('addTrick emits TrickAdded and appends to the tricks', async () => {
    const outcome = await given(Dog, [...registered, { type: 'TrickAdded', trick: 'sit' }])
      .when({ type: 'addTrick', trick: 'roll over' })
      .then([{ type: 'TrickAdded', trick: 'roll over' }]);
    expect(outcome?.snapshot.context.tricks).toEqual(['sit', 'roll over']);
    expect(outcome?.snapshot.context.name).toBe('Fido');
  });

  it('an unknown command type is rejected', async () => {
    await given(Dog, [...registered])
      .when({ type: 'bark' } as never)
      .then(
        (e) =>
          e instanceof CommandRejectedError &&
          e.command === 'bark' &&
          e.message.includes('unknown command'),
      );
  });

  it('a domain event type sent as a command is rejected', async () => {
    await given(Dog)
      .when({ type: 'Registered', name: 'Fido' } as never)
      .then(
        (e) =>
          e instanceof CommandRejectedError &&
          e.command === 'Registered' &&
          e.message.includes('is a domain event'),
      );
    // And nothing was applied: the given state is still unregistered.
    expect(given(Dog).snapshot.value).toBe('unregistered');
  });

  it('replaying the decided events gives the decided state', async () => {
    const first = await given(Dog).when({ type: 'register', name: 'Fido' }).decide();
    const second = await given(Dog, first.events).when({ type: 'addTrick', trick: 'sit' }).decide();
    const replayed = given(Dog, [...first.events, ...second.events]).snapshot;
    expect(replayed.value).toBe(second.snapshot.value);
    expect(replayed.context).toEqual(second.snapshot.context);
  });
});
