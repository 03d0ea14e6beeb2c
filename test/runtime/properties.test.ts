/**
 * Property-based hardening (fast-check): random sequences of commands with random payload values
 * (the transcoded types, edge numbers, any unicode, nesting), random metadata and command ids,
 * and values that can't be stored, on the memory module and on KurrentDB (the test server).
 * After every run:
 * - every call resolved, or rejected with an `EventSourcingError`;
 * - no uncaught exception or unhandled rejection happened (process hooks);
 * - a rejected call stored nothing;
 * - a fresh repository's replay, and a snapshot load, equal the live state, types included.
 *
 * CI runs a fixed seed plus two random ones; every seed is printed, so a failure replays with
 * `PROPERTY_SEED=<seed>`.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Application } from '../../src/application/application.js';
import { CommandRejectedError, EventSourcingError } from '../../src/core/errors.js';
import { Bag, freshRepository } from '../support/bag.js';
import { persistenceModules } from '../support/counter.js';
import { storableValue, unstorableValue } from '../support/payload-values.js';

const uri = inject('kurrentdbUri');

const FIXED_SEED = 20261206;
const seeds: number[] =
  process.env.PROPERTY_SEED !== undefined
    ? [Number(process.env.PROPERTY_SEED)]
    : [FIXED_SEED, ...Array.from({ length: 2 }, () => Math.floor(Math.random() * 2 ** 31))];

type Step =
  | { readonly kind: 'put'; readonly value: unknown }
  | { readonly kind: 'putTwo'; readonly a: unknown; readonly b: unknown }
  | { readonly kind: 'close' }
  | { readonly kind: 'bad'; readonly value: unknown }
  | { readonly kind: 'badMetadata'; readonly value: unknown };

interface Call {
  readonly step: Step;
  readonly commandId: string | undefined;
  readonly metadata: Record<string, unknown> | undefined;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: storableValue.map((value) => ({ kind: 'put' as const, value })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(storableValue, storableValue)
      .map(([a, b]) => ({ kind: 'putTwo' as const, a, b })),
  },
  { weight: 2, arbitrary: unstorableValue.map((value) => ({ kind: 'bad' as const, value })) },
  {
    weight: 1,
    arbitrary: unstorableValue.map((value) => ({ kind: 'badMetadata' as const, value })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'close' as const }) },
);

const call: fc.Arbitrary<Call> = fc.record({
  step,
  commandId: fc.option(fc.constantFrom('c-1', 'c-2', 'c-3'), { nil: undefined }),
  metadata: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), storableValue, { maxKeys: 3 }), {
    nil: undefined,
  }),
});

function commandOf(step: Step): { type: string; [key: string]: unknown } {
  switch (step.kind) {
    case 'put':
    case 'bad':
      return { type: 'put', value: step.value };
    case 'badMetadata':
      return { type: 'put', value: 1 };
    case 'putTwo':
      return { type: 'putTwo', a: step.a, b: step.b };
    case 'close':
      return { type: 'close' };
  }
}

/** Everything the process reported as uncaught while the properties ran. */
const uncaught: unknown[] = [];
const record = (error: unknown): void => {
  uncaught.push(error);
};
beforeAll(() => {
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
});
afterAll(() => {
  process.off('uncaughtException', record);
  process.off('unhandledRejection', record);
});

describe.each(persistenceModules(uri))('command properties on %s', (module, env) => {
  const numRuns = module === 'memory' ? 60 : 20;

  it.each(seeds)(
    'seed %i',
    async (seed) => {
      console.log(`[properties] ${module}: seed ${seed} (replay with PROPERTY_SEED=${seed})`);
      const app = new Application({
        name: 'properties',
        env: { ...env, IS_SNAPSHOTTING_ENABLED: 'y' },
      });
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 12 }), async (calls) => {
            const id = randomUUID();
            const streamName = `Bag-${id}`;
            const bag = await app.repository.create(Bag, id);
            let stored = 0;
            /** Command ids whose command stored events: a repeat returns them, whatever it holds. */
            const done = new Set<string>();
            for (const { step, commandId, metadata } of calls) {
              const options = {
                ...(commandId === undefined ? {} : { commandId }),
                ...(step.kind === 'badMetadata'
                  ? { metadata: { ...metadata, bad: step.value } }
                  : metadata === undefined
                    ? {}
                    : { metadata }),
              };
              const outcome = await bag.execute(commandOf(step) as never, options).then(
                (recordings) => ({ ok: true as const, recordings }),
                (error: unknown) => ({ ok: false as const, error }),
              );
              const now = (await app.recorder.selectEvents(streamName)).length;
              // Options are checked first; a repeated command id then returns what it stored.
              const repeat =
                commandId !== undefined && done.has(commandId) && step.kind !== 'badMetadata';
              if (outcome.ok) {
                if (repeat) expect(now).toBe(stored);
                else expect(step.kind === 'bad' || step.kind === 'badMetadata').toBe(false);
                if (commandId !== undefined) done.add(commandId);
                stored = now;
                continue;
              }
              expect(repeat).toBe(false);
              expect(outcome.error).toBeInstanceOf(EventSourcingError);
              if (!(outcome.error instanceof CommandRejectedError)) {
                expect(step.kind === 'bad' || step.kind === 'badMetadata').toBe(true);
              }
              // A rejected call stored nothing.
              expect(now).toBe(stored);
            }
            expect(uncaught).toEqual([]);
            if (stored === 0) return;

            const live = bag.getSnapshot();
            const warnings: unknown[] = [];
            const replayRepository = freshRepository(app);
            const snapshotRepository = freshRepository(app, (message) => warnings.push(message));
            try {
              const replayed = await replayRepository.get(Bag, id);
              expect(replayed.version).toBe(bag.version);
              expect(replayed.getSnapshot().value).toEqual(live.value);
              expect(isDeepStrictEqual(replayed.getSnapshot().context, live.context)).toBe(true);

              await app.takeSnapshot(Bag, id);
              const restored = await snapshotRepository.get(Bag, id);
              expect(warnings).toEqual([]);
              expect(restored.version).toBe(bag.version);
              expect(isDeepStrictEqual(restored.getSnapshot().context, live.context)).toBe(true);
            } finally {
              await replayRepository.close();
              await snapshotRepository.close();
            }
          }),
          { seed, numRuns },
        );
      } finally {
        await app.close();
      }
      expect(uncaught).toEqual([]);
    },
    120_000,
  );
});
