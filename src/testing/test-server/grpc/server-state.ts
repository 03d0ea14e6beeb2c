/**
 * Everything one test server instance owns: its log, its open subscriptions and its role. Nothing is
 * global, so several servers can run in one process.
 *
 * @module
 */
import type { EventLog } from '../log/event-log.js';
import type { NodeRole } from './node-role.js';

/** A running subscription the server can end from outside (fault injection, shutdown). */
export interface OpenSubscription {
  /** Ends the subscription with the node's consumer-too-slow error. */
  abort(): void;
}

/** Per-server state shared by the handlers. */
export interface ServerState {
  readonly log: EventLog;
  readonly subscriptions: Set<OpenSubscription>;
  /** Current time in ms (a hook for tests). */
  readonly now: () => number;
  /** What this node serves and refuses; `standaloneRoleWith` (append-fault.ts) for a single server. */
  readonly role: NodeRole;
}
