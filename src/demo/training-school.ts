/**
 * The Python library's "Getting started" application in TypeScript: a training school that
 * registers dogs and teaches them tricks. The README shows the same code.
 *
 * @module
 */
import { Dog } from '../../machines/dog.js';
import { Application } from '../application/application.js';

/** A dog's id from its name (unique per `run`, so the demo can run again on the same server). */
export const dogId = (name: string, run = ''): string =>
  `${name.toLowerCase().replaceAll(' ', '-')}${run === '' ? '' : `-${run}`}`;

export class TrainingSchool extends Application {
  /** How projections decode the school's events. */
  static override aggregates = [Dog];
  /** Suffix of this run's dog ids. */
  run = '';

  async register(name: string): Promise<bigint> {
    const dog = await this.repository.create(Dog, dogId(name, this.run));
    const recordings = await dog.execute({ type: 'register', name });
    return (recordings.at(-1) as (typeof recordings)[number]).notification.id;
  }

  async addTrick(name: string, trick: string): Promise<bigint> {
    const dog = await this.repository.get(Dog, dogId(name, this.run));
    const recordings = await dog.execute({ type: 'addTrick', trick });
    return (recordings.at(-1) as (typeof recordings)[number]).notification.id;
  }

  async getDogDetails(name: string): Promise<{ name: string; tricks: string[] }> {
    const { context } = (await this.repository.get(Dog, dogId(name, this.run))).getSnapshot();
    return { name: context.name, tricks: [...context.tricks] };
  }
}
