/**
 * `eventsourcing-kurrentdb/inspect`: watch the library's actors in the Stately inspector through
 * a local server bound to `127.0.0.1` — nothing is sent through a hosted relay — with chosen
 * fields redacted wherever they occur before any message leaves the process.
 *
 * @module
 */

export type { StatelyInspectionEvent } from '@statelyai/inspect';
export { DEFAULT_INSPECTOR_UI_URL } from './bridge-page.js';
export type {
  CollectInspectorMessagesOptions,
  InspectorMessages,
} from './collect-messages.js';
export { collectInspectorMessages } from './collect-messages.js';
export type { InspectorSanitizeOptions } from './sanitize.js';
export { REDACTED } from './sanitize.js';
export type { LocalInspector, StartInspectorOptions } from './start-inspector.js';
export { startInspector } from './start-inspector.js';
