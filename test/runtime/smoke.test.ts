import { expect, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';

class TrainingSchool extends Application {
  async register(name: string) {
    const dog = await this.repository.create(Dog, name);
    return (await dog.execute({ type: 'register', name })).at(-1)!.notification.id;
  }
  async addTrick(name: string, trick: string) {
    const dog = await this.repository.get(Dog, name);
    return (await dog.execute({ type: 'addTrick', trick })).at(-1)!.notification.id;
  }
  async details(name: string) {
    const { context } = (await this.repository.get(Dog, name)).getSnapshot();
    return { name: context.name, tricks: [...context.tricks] };
  }
}

it('smoke', async () => {
  const school = new TrainingSchool();
  const id1 = await school.register('Fido');
  const id2 = await school.addTrick('Fido', 'roll over');
  expect(id2).toBeGreaterThan(id1);
  expect(await school.details('Fido')).toEqual({ name: 'Fido', tricks: ['roll over'] });
  const events = await school.recorder.selectEvents('Dog-Fido');
  expect(events.map((e) => e.topic)).toEqual(['Dog.Registered', 'Dog.TrickAdded']);
  await school.close();
});
