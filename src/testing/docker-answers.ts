/**
 * Whether a Docker engine is there for testcontainers — the harnesses' second choice, after an
 * address from the environment and before the in-process fallback.
 *
 * @module
 */

/** True when testcontainers finds a working container runtime. Never throws. */
export async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
