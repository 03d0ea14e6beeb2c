/**
 * The system events a fresh node writes before any client connects, so that $all is never empty
 * and code that forgets to skip `$`-typed events fails here as it would in production.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { EventLog, NewEvent } from './event-log.js';

const EMPTY = new Uint8Array(0);

function json(eventType: string, value: unknown): NewEvent {
  return {
    eventId: randomUUID(),
    eventType,
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(value), 'utf8'),
    customMetadata: EMPTY,
  };
}

/** Writes the bootstrap events of a fresh single node. */
export function writeBootstrapEvents(log: EventLog, nodeEndpoint: string): void {
  log.write([{ streamId: '$$$scavenges', events: [json('$metadata', { $maxAge: 2_592_000 })] }]);
  log.write([
    { streamId: `$$$stats-${nodeEndpoint}`, events: [json('$metadata', { $maxAge: 86_400 })] },
  ]);
  log.write([
    {
      streamId: '$$$user-admin',
      events: [json('$metadata', { $acl: { $w: '$admins', $d: '$admins', $mw: '$admins' } })],
    },
  ]);
  log.write([
    {
      streamId: '$user-admin',
      events: [
        json('$UserCreated', {
          loginName: 'admin',
          fullName: 'KurrentDB Administrator',
          groups: ['$admins'],
          disabled: false,
        }),
      ],
    },
  ]);
  log.write([{ streamId: '$users', events: [json('$User', 'admin')] }]);
  log.write([
    {
      streamId: '$user-ops',
      events: [
        json('$UserCreated', {
          loginName: 'ops',
          fullName: 'KurrentDB Operations',
          groups: ['$ops'],
          disabled: false,
        }),
      ],
    },
  ]);
  log.write([{ streamId: '$users', events: [json('$User', 'ops')] }]);
  log.write([
    {
      streamId: '$settings',
      events: [
        json('$update-default-acl', {
          $userStreamAcl: { $r: '$all', $w: '$all', $d: '$all', $mr: '$all', $mw: '$all' },
          $systemStreamAcl: {
            $r: '$admins',
            $w: '$admins',
            $d: '$admins',
            $mr: '$admins',
            $mw: '$admins',
          },
        }),
      ],
    },
  ]);
}
