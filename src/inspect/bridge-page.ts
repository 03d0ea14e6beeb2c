/**
 * The page a person opens to watch the actors: it embeds the Stately inspector UI in an iframe
 * and forwards every message of the local WebSocket relay to it with `postMessage`, the same
 * bridge `@statelyai/inspect/server` serves. Messages that arrive before the UI announces itself
 * (`@statelyai.connected`) are held and delivered then.
 *
 * Unlike that bridge, the page posts only to the UI's own origin (derived from the URL it
 * embeds), so if the frame is navigated elsewhere nothing is delivered there, and it listens only
 * to messages from that frame and that origin.
 *
 * @module
 */

/** The Stately inspector UI the page embeds unless told otherwise. */
export const DEFAULT_INSPECTOR_UI_URL = 'https://stately.ai/inspect';

/**
 * The type of the message the relay sends after an actor's registration when it knows the
 * actor's machine: `{ type, sessionId, mermaid }`, the Mermaid text of the diagram. The page keeps
 * it for its fallback view and does not pass it to the UI.
 */
export const DIAGRAM_MESSAGE_TYPE = '@eventsourcing.diagram';

/** How long the page waits for the UI to announce itself before showing the fallback view. */
export const FALLBACK_AFTER_MS = 4_000;

/** How many of each actor's latest events the fallback view lists. */
const RECENT_EVENTS = 20;

/**
 * The HTML of the bridge page. The page connects back to the host that served it
 * (`location.host`), so it works whether it is opened as `127.0.0.1` or `localhost`.
 *
 * When the UI cannot load — it has not announced itself within {@link FALLBACK_AFTER_MS}, the
 * frame reported an error, or the page was opened with `?offline` (then the UI is not loaded at
 * all) — the page shows a fallback view built from the same messages, with no external resource:
 * every live actor with its state value, its latest events and, when the server knows its
 * machine, the Mermaid text of its diagram. Should the UI announce itself later, it is shown
 * again. Everything is inserted as text.
 */
export function bridgePage(uiUrl: string): string {
  const origin = new URL(uiUrl).origin;
  if (origin === 'null') throw new TypeError(`uiUrl has no origin to post to: ${uiUrl}`);
  return `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Stately Inspector</title>
  <style>
    * { margin: 0; padding: 0; }
    html, body { height: 100%; }
    iframe { width: 100%; height: 100%; border: none; }
    #fallback { font: 14px/1.4 system-ui, sans-serif; padding: 1em; overflow: auto; height: 100%; box-sizing: border-box; }
    #fallback[hidden], iframe[hidden] { display: none; }
    #fallback h1 { font-size: 1.2em; margin-bottom: .3em; }
    #fallback .note { color: #555; margin-bottom: 1em; }
    .actor { border: 1px solid #ccc; border-radius: 4px; padding: .6em; margin-bottom: 1em; }
    .actor h2 { font-size: 1em; }
    .actor .state { font-family: monospace; }
    .actor ol { margin: .3em 0 .3em 2em; font-family: monospace; }
    .actor pre { background: #f5f5f5; padding: .5em; overflow: auto; }
  </style>
</head>
<body>
  <iframe id="inspector"></iframe>
  <div id="fallback" hidden>
    <h1>Inspector (local view)</h1>
    <p class="note">The Stately inspector UI could not be loaded; this view shows the live actors from the local server.</p>
    <div id="actors"></div>
  </div>
  <script>
    const UI_URL = ${scriptString(uiUrl)};
    const UI_ORIGIN = ${scriptString(origin)};
    const DIAGRAM = ${scriptString(DIAGRAM_MESSAGE_TYPE)};
    const FALLBACK_AFTER_MS = ${FALLBACK_AFTER_MS};
    const RECENT_EVENTS = ${RECENT_EVENTS};
    const ENDED = ['stopped', 'done', 'error'];
    const iframe = document.getElementById('inspector');
    const fallback = document.getElementById('fallback');
    const list = document.getElementById('actors');
    const buffer = [];
    let connected = false;

    // The fallback view's model: every live actor by session id.
    const actors = new Map();
    const actorOf = (sessionId) => {
      let actor = actors.get(sessionId);
      if (!actor) {
        actor = { sessionId, name: sessionId, value: undefined, status: undefined, events: [], mermaid: undefined };
        actors.set(sessionId, actor);
      }
      return actor;
    };
    const noteSnapshot = (actor, snapshot) => {
      if (!snapshot || typeof snapshot !== 'object') return;
      if ('value' in snapshot) actor.value = snapshot.value;
      if (typeof snapshot.status === 'string') actor.status = snapshot.status;
    };
    const track = (m) => {
      if (!m || typeof m !== 'object' || typeof m.sessionId !== 'string') return;
      if (m.type === '@xstate.actor') {
        const actor = actorOf(m.sessionId);
        if (typeof m.name === 'string') actor.name = m.name;
        noteSnapshot(actor, m.snapshot);
      } else if (m.type === '@xstate.snapshot') {
        const actor = actorOf(m.sessionId);
        noteSnapshot(actor, m.snapshot);
        if (ENDED.includes(actor.status)) actors.delete(m.sessionId);
      } else if (m.type === '@xstate.event') {
        const actor = actors.get(m.sessionId);
        if (actor && m.event && typeof m.event.type === 'string') {
          // A lifecycle's \`execute\` carries the command: show its type too.
          const command = m.event.command;
          const inner = command && typeof command.type === 'string' ? ' ' + command.type : '';
          actor.events.push(m.event.type + inner);
          if (actor.events.length > RECENT_EVENTS) actor.events.shift();
        }
      } else if (m.type === DIAGRAM) {
        if (typeof m.mermaid === 'string') actorOf(m.sessionId).mermaid = m.mermaid;
      }
    };
    const el = (tag, className, text) => {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = String(text);
      return node;
    };
    const stateText = (value) =>
      value === undefined ? '(unknown)' : typeof value === 'string' ? value : JSON.stringify(value);
    let renderPending = false;
    const render = () => {
      renderPending = false;
      if (fallback.hidden) return;
      const sections = [];
      for (const actor of actors.values()) {
        const section = el('section', 'actor');
        section.dataset.sessionId = actor.sessionId;
        section.append(el('h2', 'name', actor.name));
        const state = el('p', undefined, 'State: ');
        state.append(el('span', 'state', stateText(actor.value)));
        if (actor.status && actor.status !== 'active') state.append(' (' + actor.status + ')');
        section.append(state);
        section.append(el('p', undefined, 'Recent events:'));
        const events = el('ol', 'events');
        for (const type of actor.events) events.append(el('li', undefined, type));
        section.append(events);
        if (actor.mermaid !== undefined) section.append(el('pre', 'diagram', actor.mermaid));
        sections.push(section);
      }
      if (sections.length === 0) sections.push(el('p', 'note', 'No live actor yet.'));
      list.replaceChildren(...sections);
    };
    const scheduleRender = () => {
      if (renderPending) return;
      renderPending = true;
      setTimeout(render, 50);
    };
    const showFallback = () => {
      if (connected) return;
      iframe.hidden = true;
      fallback.hidden = false;
      render();
    };

    window.addEventListener('message', (e) => {
      if (e.source !== iframe.contentWindow || e.origin !== UI_ORIGIN) return;
      if (e.data && e.data.type === '@statelyai.connected') {
        connected = true;
        fallback.hidden = true;
        iframe.hidden = false;
        for (const event of buffer) iframe.contentWindow.postMessage(event, UI_ORIGIN);
        buffer.length = 0;
      }
    });
    if (new URLSearchParams(location.search).has('offline')) {
      showFallback();
    } else {
      iframe.addEventListener('error', showFallback);
      setTimeout(showFallback, FALLBACK_AFTER_MS);
      iframe.src = UI_URL;
    }
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host);
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      track(data);
      scheduleRender();
      if (data && data.type === DIAGRAM) return;
      if (connected) iframe.contentWindow.postMessage(data, UI_ORIGIN);
      else buffer.push(data);
    };
  </script>
</body>
</html>
`;
}

/** A JavaScript string literal that is safe inside an HTML `<script>` element. */
function scriptString(text: string): string {
  return JSON.stringify(text)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
