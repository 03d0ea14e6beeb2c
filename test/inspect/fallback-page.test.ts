/**
 * The bridge page's fallback view in a real browser: headless Chromium opens the page of an
 * application's inspector whose UI cannot load (its URL points at a closed port), and the page
 * shows instead, from the relay's messages, the dog actor with its state, its recent events and
 * its Mermaid diagram — and never the redacted name. Skipped, saying why, where no Chromium is
 * installed (`.ci/run` installs it).
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';

/** `CHROMIUM_PATH`, else the first Chromium on the usual paths. */
function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
  ];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}

const chromium = findChromium();

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
});

async function launch(executablePath: string): Promise<Browser> {
  browser ??= await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  return browser;
}

interface ActorView {
  readonly name: string;
  readonly state: string;
  readonly events: string[];
  readonly diagram: string | undefined;
}

describe('the inspector page when the hosted UI cannot load', () => {
  it.skipIf(chromium === undefined)(
    `shows the live actors, their events and diagrams, without redacted fields${
      chromium === undefined
        ? ' (skipped: no Chromium at /usr/bin/chromium, /usr/bin/chromium-browser or CHROMIUM_PATH)'
        : ''
    }`,
    async () => {
      const marker = `Marker-${randomUUID()}`;
      const app = new Application({ name: 'school', env: { PERSISTENCE_MODULE: 'memory' } });
      try {
        const inspector = await app.inspect({
          uiUrl: `http://127.0.0.1:${await closedPort()}/`,
          sanitize: { fields: ['name'] },
        });
        const dog = await app.repository.create(Dog, randomUUID());
        await dog.execute({ type: 'register', name: marker });
        await dog.execute({ type: 'addTrick', trick: 'sit' });

        const page = await (await launch(chromium as string)).newPage();
        try {
          await page.goto(inspector.url);
          // The UI never announces itself: the fallback replaces it after a few seconds.
          await page.waitForSelector('#fallback:not([hidden]) .actor pre.diagram', {
            timeout: 15_000,
          });
          // (Functions run in the page are given as text: the project's types have no DOM.)
          await page.waitForFunction(
            `[...document.querySelectorAll('.actor .state')].some((s) => s.textContent === 'registered')`,
            { timeout: 5_000 },
          );
          expect(await page.$eval('#inspector', (frame) => frame.hasAttribute('hidden'))).toBe(
            true,
          );
          const actors: ActorView[] = await page.$$eval('.actor', (sections) =>
            sections.map((section) => ({
              name: section.querySelector('.name')?.textContent ?? '',
              state: section.querySelector('.state')?.textContent ?? '',
              events: [...section.querySelectorAll('.events li')].map((li) => li.textContent ?? ''),
              diagram: section.querySelector('pre.diagram')?.textContent ?? undefined,
            })),
          );
          const dogView = actors.find((actor) => actor.name.startsWith('Dog-'));
          expect(dogView, JSON.stringify(actors)).toBeDefined();
          expect(dogView?.state).toBe('registered');
          expect(dogView?.events).toEqual(expect.arrayContaining(['Registered', 'TrickAdded']));
          expect(dogView?.diagram).toMatch(/^stateDiagram-v2\n/);
          expect(dogView?.diagram).toContain('unregistered --> registered : Registered');
          // The lifecycle actor that runs the dog's commands, with the commands it got.
          const lifecycle = actors.find((actor) => actor.name.startsWith('lifecycle:Dog-'));
          expect(lifecycle?.state).toBe('ready');
          expect(lifecycle?.events).toEqual(
            expect.arrayContaining(['execute register', 'execute addTrick']),
          );
          expect(lifecycle?.diagram).toMatch(/^stateDiagram-v2\n/);

          const text = String(await page.evaluate('document.body.innerText'));
          const html = await page.content();
          expect(text).toContain('registered');
          expect(text).not.toContain(marker);
          expect(html).not.toContain(marker);

          // With \`?offline\` the UI is not even requested: the fallback shows at once.
          await page.goto(`${inspector.url}?offline`);
          await page.waitForSelector('#fallback:not([hidden]) .actor pre.diagram', {
            timeout: 2_000,
          });
          expect(await page.$eval('#inspector', (frame) => frame.getAttribute('src'))).toBeNull();
        } finally {
          await page.close();
        }
      } finally {
        await app.close();
      }
    },
    40_000,
  );
});
