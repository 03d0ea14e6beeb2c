/**
 * Redaction everywhere: a real application (memory persistence) runs with the inspector, a dog is
 * registered under a unique marker name, and every frame the relay sends out — the text the
 * bridge page hands to the hosted inspector UI, to a page open from the start and to one opened
 * late — is searched for the marker. With the name configured it appears nowhere; without, the
 * same run shows it in each place it travels (so the search can fail).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assign, createActor, emit, sendTo, setup, spawnChild, waitFor } from 'xstate';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import { type AggregateReplyEvent, fromAggregate } from '../../src/application/from-aggregate.js';
import { CommandRejectedError } from '../../src/core/errors.js';
import {
  collectInspectorMessages,
  type InspectorSanitizeOptions,
  REDACTED,
  type StatelyInspectionEvent,
  startInspector,
} from '../../src/inspect/index.js';
import { createMessageRedactor } from '../../src/inspect/sanitize.js';
import { collectRawFrames } from './raw-frames.js';

/** A parent that spawns a dog through `fromAggregate` and keeps the replies it gets. */
function kennel(app: Application, id: string) {
  return setup({
    types: {
      context: {} as { replies: AggregateReplyEvent[] },
      events: {} as AggregateReplyEvent | { type: 'name'; name: string },
    },
    actors: { dog: fromAggregate(app, Dog) },
  }).createMachine({
    id: 'Kennel',
    context: { replies: [] },
    entry: spawnChild('dog', { id: 'dog', input: { id, create: true } }),
    on: {
      name: { actions: sendTo('dog', ({ event }) => ({ type: 'register', name: event.name })) },
      'aggregate.executed': {
        actions: assign({ replies: ({ context, event }) => [...context.replies, event] }),
      },
      'aggregate.rejected': {
        actions: assign({ replies: ({ context, event }) => [...context.replies, event] }),
      },
    },
  });
}

interface Run {
  readonly marker: string;
  /** Every frame the relay sent, to a page open from the start and then to one opened late. */
  readonly frames: readonly string[];
  readonly page: string;
}

/** Registers dogs named `marker` through the repository and through `fromAggregate`. */
async function runSchool(sanitize: InspectorSanitizeOptions | undefined): Promise<Run> {
  const marker = `Marker-${randomUUID()}`;
  const app = new Application({ name: 'school', env: { PERSISTENCE_MODULE: 'memory' } });
  try {
    const inspector = await app.inspect(sanitize === undefined ? {} : { sanitize });
    const early = await collectRawFrames(inspector.wsUrl);
    const page = await fetch(inspector.url).then((response) => response.text());

    const dog = await app.repository.create(Dog, randomUUID());
    await dog.execute({ type: 'register', name: marker });
    await dog.execute({ type: 'addTrick', trick: 'sit' });
    await expect(dog.execute({ type: 'register', name: marker })).rejects.toThrow(
      CommandRejectedError,
    );

    const parent = createActor(kennel(app, randomUUID()), { inspect: inspector.inspect }).start();
    parent.send({ type: 'name', name: marker });
    await waitFor(parent, (snapshot) => snapshot.context.replies.length === 1);
    expect(parent.getSnapshot().context.replies[0]?.type).toBe('aggregate.executed');

    // A page opened late gets the live actors replayed.
    const late = await collectRawFrames(inspector.wsUrl);
    parent.stop();
    await app.close(); // stops the inspector: every pending message is relayed, sockets close
    await Promise.all([early.closed, late.closed]);
    return { marker, frames: [...early.frames, ...late.frames], page };
  } finally {
    await app.close();
  }
}

type Message = StatelyInspectionEvent & {
  event?: { type: string };
  snapshot?: { context?: unknown };
};

/** Where the marker travels, named by message type and the event or actor it is about. */
function hits(run: Run): string[] {
  return run.frames
    .filter((frame) => frame.includes(run.marker))
    .map((frame) => {
      const message = JSON.parse(frame) as Message;
      return message.type === '@xstate.actor'
        ? `${message.type} ${message.name.split('-')[0]}`
        : `${message.type} ${message.event?.type}`;
    });
}

describe('redaction of configured fields in everything the inspector sends', () => {
  it('without sanitize the marker name travels in contexts, commands, domain events, replies and definitions', async () => {
    const run = await runSchool(undefined);
    const places = new Set(hits(run));
    expect([...places]).toEqual(
      expect.arrayContaining([
        '@xstate.event execute', // the lifecycle's command event embeds the command
        '@xstate.event Registered', // the domain event applied to the dog
        '@xstate.snapshot Registered', // the dog's context after it
        '@xstate.event name', // the kennel's own event
        '@xstate.event aggregate.executed', // the reply: command and domain events
        '@xstate.event @eventsourcing-kurrentdb.applied', // the stored events fromAggregate emits
        '@xstate.actor Dog', // the registration's snapshot
      ]),
    );
  });

  it.each<[string, InspectorSanitizeOptions]>([
    ['contextFields (the README example)', { contextFields: ['name'] }],
    ['fields', { fields: ['name'] }],
    ['eventFields', { eventFields: ['name'] }],
  ])('with %s the marker name reaches no page, while the rest still does', async (_, sanitize) => {
    const run = await runSchool(sanitize);
    expect(hits(run)).toEqual([]);
    expect(run.page).not.toContain(run.marker);

    const messages = run.frames.map((frame) => JSON.parse(frame) as Message);
    const execute = messages.find(
      (m) =>
        m.type === '@xstate.event' &&
        m.event?.type === 'execute' &&
        (m.event as { command?: { type?: string } }).command?.type === 'register',
    );
    expect(execute?.event).toEqual({
      type: 'execute',
      command: { type: 'register', name: REDACTED },
    });
    const trick = messages.find(
      (m) => m.type === '@xstate.snapshot' && m.event?.type === 'TrickAdded',
    );
    expect(trick?.snapshot?.context).toEqual({ name: REDACTED, tricks: ['sit'] });
    // The actors' names (bookkeeping of the messages) are not fields of their data.
    expect(messages.some((m) => m.type === '@xstate.actor' && m.name.startsWith('Dog-'))).toBe(
      true,
    );
  });
});

describe('the redaction rule', () => {
  const machine = setup({
    types: {
      context: {} as {
        owner: { name: string; email: string };
        lines: { sku: string; price: number }[];
        value: string;
      },
      events: {} as
        | { type: 'wrap'; inner: { type: 'pay'; card: { number: string } }; price: number }
        | { type: 'ping' },
      emitted: {} as { type: 'paid'; owner: { email: string } },
    },
  }).createMachine({
    id: 'shop',
    context: {
      owner: { name: 'Ada', email: 'ada@example.com' },
      lines: [
        { sku: 'a', price: 1 },
        { sku: 'b', price: 2 },
      ],
      value: 'kept',
    },
    initial: 'open',
    states: {
      open: {
        on: {
          wrap: {
            actions: emit(({ context }) => ({
              type: 'paid' as const,
              owner: { email: context.owner.email },
            })),
          },
        },
      },
    },
  });

  it('hides a dotted path at any depth, in arrays, nested events and the definition, and nothing else', async () => {
    const inspector = await startInspector({
      sanitize: { fields: ['owner.email', 'price', 'card.number'] },
    });
    const client = await collectInspectorMessages(inspector.wsUrl);
    try {
      const actor = createActor(machine, { inspect: inspector.inspect }).start();
      const event = {
        type: 'wrap' as const,
        inner: { type: 'pay' as const, card: { number: '4111111111111111' } },
        price: 3,
      };
      actor.send(event);
      const snapshot = await client.waitFor(
        (m) => m.type === '@xstate.snapshot' && m.event.type === 'wrap',
      );
      const sent = await client.waitFor(
        (m) => m.type === '@xstate.event' && m.event.type === 'wrap',
      );
      const registered = await client.waitFor(
        (m) => m.type === '@xstate.actor' && m.sessionId === actor.sessionId,
      );

      const hiddenEvent = {
        type: 'wrap',
        inner: { type: 'pay', card: { number: REDACTED } },
        price: REDACTED,
      };
      expect(sent.type === '@xstate.event' && sent.event).toEqual(hiddenEvent);
      expect(snapshot.type === '@xstate.snapshot' && snapshot.event).toEqual(hiddenEvent);
      const hiddenContext = {
        owner: { name: 'Ada', email: REDACTED },
        lines: [
          { sku: 'a', price: REDACTED },
          { sku: 'b', price: REDACTED },
        ],
        value: 'kept',
      };
      expect(snapshot.type === '@xstate.snapshot' && snapshot.snapshot).toMatchObject({
        context: hiddenContext,
        value: 'open',
        status: 'active',
      });
      const definition =
        registered.type === '@xstate.actor' ? JSON.parse(registered.definition ?? 'null') : null;
      expect(definition.context).toEqual(hiddenContext);
      expect(definition.id).toBe('shop');
      expect(JSON.stringify(client.messages)).not.toContain('ada@example.com');
      expect(JSON.stringify(client.messages)).not.toContain('4111111111111111');

      // The actor and the sender keep their own objects.
      expect(event.inner.card.number).toBe('4111111111111111');
      expect(actor.getSnapshot().context.owner.email).toBe('ada@example.com');
      expect(actor.getSnapshot().context.lines[0]?.price).toBe(1);
      actor.stop();
    } finally {
      await client.close();
      await inspector.stop();
    }
  });

  it('redacts events produced before the socket opens too (the package serializes those twice)', async () => {
    const inspector = await startInspector({ sanitize: { fields: ['owner.email'] } });
    let connectedEarly = false;
    void inspector.connected.then(() => {
      connectedEarly = true;
    });
    const actor = createActor(machine, { inspect: inspector.inspect }).start();
    actor.send({ type: 'ping' });
    // Keeps the thread busy so the package's `setTimeout(0)` sends run before the socket opens.
    const until = performance.now() + 20;
    while (performance.now() < until) {
      // spin
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(connectedEarly).toBe(false);
    await inspector.connected;
    const client = await collectInspectorMessages(inspector.wsUrl);
    try {
      await client.waitFor((m) => m.type === '@xstate.snapshot' && m.sessionId === actor.sessionId);
      expect(JSON.stringify(client.messages)).not.toContain('ada@example.com');
      expect(JSON.stringify(client.messages)).toContain(REDACTED);
      actor.stop();
    } finally {
      await client.close();
      await inspector.stop();
    }
  });

  it('is idempotent, cuts cycles and leaves the message bookkeeping alone', () => {
    const redact = createMessageRedactor(['name', 'id'], 10);
    const command: Record<string, unknown> = { type: 'register', name: 'Fido', id: 'x' };
    command.self = command;
    const message = {
      type: '@xstate.event',
      name: 'Dog-1',
      id: null,
      sessionId: 'x:1',
      rootId: 'x:1',
      createdAt: '1',
      _version: '0.7.2',
      event: { type: 'execute', command },
    } as unknown as StatelyInspectionEvent;
    const once = redact(message);
    expect(once).toEqual({
      ...message,
      event: {
        type: 'execute',
        command: { type: 'register', name: REDACTED, id: REDACTED, self: '[Circular]' },
      },
    });
    expect(redact(once)).toEqual(once);
    expect(command.name).toBe('Fido');
  });
});
