/**
 * Creates the recorders of a contract test and closes them after it.
 *
 * @module
 */
import { afterEach } from 'vitest';

/** A recorder that can be closed. */
interface Closable {
  close(): Promise<void>;
}

/**
 * Registers an `afterEach` that closes every recorder made through the returned function during
 * the test. Call it inside a `describe` block.
 */
export function useRecorders<TRecorder extends Closable>(
  create: () => Promise<TRecorder>,
): () => Promise<TRecorder> {
  const open: TRecorder[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((recorder) => recorder.close()));
  });
  return async () => {
    const recorder = await create();
    open.push(recorder);
    return recorder;
  };
}

/** The default timeout of the heavy tests, in milliseconds. */
export const DEFAULT_HEAVY_TEST_TIMEOUT = 120_000;
