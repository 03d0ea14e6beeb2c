/**
 * A TCP port to connect to where no server listens.
 *
 * @module
 */
import { createServer } from 'node:net';

/** A TCP port on 127.0.0.1 nothing listens on (right now). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
