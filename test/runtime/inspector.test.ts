/**
 * The Stately inspector for an application: one call starts a local inspector (127.0.0.1), and
 * for one command it shows the command, the domain events it emitted and the resulting snapshot.
 * The test is its own WebSocket client, speaking what the inspector page speaks.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import { collectInspectorMessages, REDACTED } from '../../src/inspect/index.js';

type Message = {
  type: string;
  sessionId?: string;
  event?: { type: string; [k: string]: unknown };
  snapshot?: { context?: unknown };
  name?: string;
};

describe('the Stately inspector of an application', () => {
  it('shows a command, the domain events it emitted and the resulting snapshot', async () => {
    await using app = new Application({ name: 'school' });
    const inspector = await app.inspect({ sanitize: { contextFields: ['name'] } });
    expect(inspector.host).toBe('127.0.0.1');
    expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const client = await collectInspectorMessages(inspector.wsUrl);
    try {
      const id = randomUUID();
      const dog = await app.repository.create(Dog, id);
      await dog.execute({ type: 'register', name: 'Fido' });
      await dog.execute({ type: 'addTrick', trick: 'sit' });
      const isEvent = (type: string) => (m: unknown) =>
        (m as Message).type === '@xstate.event' && (m as Message).event?.type === type;
      const command = (await client.waitFor(isEvent('execute'), 5_000)) as Message;
      expect(command.event?.command).toEqual({ type: 'register', name: REDACTED });
      const applied = (await client.waitFor(isEvent('TrickAdded'), 5_000)) as Message;
      expect(applied.event).toEqual({ type: 'TrickAdded', trick: 'sit' });
      const snapshot = (await client.waitFor(
        (m) =>
          (m as Message).type === '@xstate.snapshot' && (m as Message).event?.type === 'TrickAdded',
        5_000,
      )) as Message;
      expect(snapshot.snapshot?.context).toEqual({ name: REDACTED, tricks: ['sit'] });
      // In order: the command reaches the lifecycle before its event reaches the dog.
      const messages = client.messages as readonly Message[];
      const order = (predicate: (m: Message) => boolean) => messages.findIndex(predicate);
      const registerCommand = order((m) => m.event?.type === 'execute');
      const registered = order((m) => m.type === '@xstate.event' && m.event?.type === 'Registered');
      expect(registerCommand).toBeGreaterThanOrEqual(0);
      expect(registered).toBeGreaterThan(registerCommand);
      const actors = messages.filter((m) => m.type === '@xstate.actor').map((m) => m.name);
      expect(actors).toEqual(expect.arrayContaining([`Dog-${id}`, `lifecycle:Dog-${id}`]));
    } finally {
      await client.close();
    }
  });
});
