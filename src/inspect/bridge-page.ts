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
 * The HTML of the bridge page. The page connects back to the host that served it
 * (`location.host`), so it works whether it is opened as `127.0.0.1` or `localhost`.
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
  </style>
</head>
<body>
  <iframe id="inspector" src="${escapeHtml(uiUrl)}"></iframe>
  <script>
    const UI_ORIGIN = ${scriptString(origin)};
    const iframe = document.getElementById('inspector');
    const buffer = [];
    let connected = false;
    window.addEventListener('message', (e) => {
      if (e.source !== iframe.contentWindow || e.origin !== UI_ORIGIN) return;
      if (e.data && e.data.type === '@statelyai.connected') {
        connected = true;
        for (const event of buffer) iframe.contentWindow.postMessage(event, UI_ORIGIN);
        buffer.length = 0;
      }
    });
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host);
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
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

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}
