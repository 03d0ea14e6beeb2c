/**
 * The bridge page posts the inspected data only to the inspector UI's own origin (derived from
 * the URL it embeds) and listens only to that frame at that origin. Checked in the page's text
 * and by running its script against stand-ins for the browser's window, frame and socket.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bridgePage, DEFAULT_INSPECTOR_UI_URL } from '../../src/inspect/bridge-page.js';
import { startInspector } from '../../src/inspect/index.js';

interface Posted {
  readonly data: unknown;
  readonly targetOrigin: string;
}

/** Runs the page's script with a fake frame, window and WebSocket. */
function runPage(html: string) {
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (script === undefined) throw new Error('the page has no script');
  const posted: Posted[] = [];
  const frame = {
    postMessage: (data: unknown, targetOrigin: string) => posted.push({ data, targetOrigin }),
  };
  let onWindowMessage: ((event: unknown) => void) | undefined;
  const sockets: { url: string; onmessage?: (event: { data: string }) => void }[] = [];
  const element = () => ({
    hidden: false,
    dataset: {},
    addEventListener: () => undefined,
    append: () => undefined,
    replaceChildren: () => undefined,
  });
  const elements: Record<string, unknown> = {
    inspector: { ...element(), contentWindow: frame },
    fallback: element(),
    actors: element(),
  };
  vm.runInNewContext(script, {
    document: {
      getElementById: (id: string) => elements[id] ?? null,
      createElement: element,
    },
    URLSearchParams,
    // Timers never fire here: the fallback view stays hidden.
    setTimeout: () => 0,
    window: {
      addEventListener: (type: string, listener: (event: unknown) => void) => {
        if (type === 'message') onWindowMessage = listener;
      },
    },
    location: { protocol: 'http:', host: '127.0.0.1:4242', search: '' },
    WebSocket: class {
      onmessage?: (event: { data: string }) => void;
      constructor(readonly url: string) {
        sockets.push(this);
      }
    },
  });
  const socket = sockets[0];
  if (socket === undefined || onWindowMessage === undefined) throw new Error('page did not start');
  return {
    posted,
    socketUrl: socket.url,
    relay: (message: unknown) => socket.onmessage?.({ data: JSON.stringify(message) }),
    fromWindow: (event: { source: unknown; origin: string; data: unknown }) =>
      onWindowMessage?.(event),
    frame,
  };
}

const connected = { type: '@statelyai.connected' };
const actor = { type: '@xstate.actor', sessionId: 'x:1' };
const snapshot = { type: '@xstate.snapshot', sessionId: 'x:1' };

describe('the bridge page', () => {
  it('targets the hosted UI’s exact origin, never "*"', () => {
    const html = bridgePage(DEFAULT_INSPECTOR_UI_URL);
    expect(html).toContain('const UI_URL = "https://stately.ai/inspect";');
    expect(html).toContain('const UI_ORIGIN = "https://stately.ai";');
    expect(html).toContain('postMessage(data, UI_ORIGIN)');
    expect(html).toContain('e.origin !== UI_ORIGIN');
    expect(html).not.toMatch(/postMessage\([^)]*['"]\*['"]\)/);
    expect(html).not.toContain("'*'");
  });

  it('derives the origin from another UI URL (scheme, host and port only)', () => {
    const html = bridgePage('http://localhost:3000/inspect/?session=1#x');
    expect(html).toContain('const UI_ORIGIN = "http://localhost:3000";');
    expect(html).toContain('const UI_URL = "http://localhost:3000/inspect/?session=1#x";');
  });

  it('is what the inspector serves, for its uiUrl', async () => {
    const inspector = await startInspector({ uiUrl: 'https://inspector.example.com:8443/ui' });
    try {
      const page = await fetch(inspector.url).then((response) => response.text());
      expect(page).toContain('const UI_ORIGIN = "https://inspector.example.com:8443";');
      expect(page).not.toContain("'*'");
    } finally {
      await inspector.stop();
    }
  });

  it('ignores messages from other origins and other windows, and posts only to the UI origin', () => {
    const page = runPage(bridgePage(DEFAULT_INSPECTOR_UI_URL));
    expect(page.socketUrl).toBe('ws://127.0.0.1:4242');

    page.relay(actor);
    // A frame navigated to another site, or another window, cannot make the page deliver.
    page.fromWindow({ source: page.frame, origin: 'https://evil.example', data: connected });
    page.fromWindow({ source: {}, origin: 'https://stately.ai', data: connected });
    expect(page.posted).toEqual([]);

    page.fromWindow({ source: page.frame, origin: 'https://stately.ai', data: connected });
    page.relay(snapshot);
    expect(page.posted).toEqual([
      { data: actor, targetOrigin: 'https://stately.ai' },
      { data: snapshot, targetOrigin: 'https://stately.ai' },
    ]);
  });
});
