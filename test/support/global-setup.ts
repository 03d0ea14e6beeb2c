import type { TestProject } from 'vitest/node';
import { startKurrentDBHarness } from '../../src/testing/kurrentdb-harness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the KurrentDB every test of this run talks to. */
    kurrentdbUri: string;
    /** Where that KurrentDB comes from: environment, testcontainers or test-server. */
    kurrentdbSource: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const harness = await startKurrentDBHarness();
  console.log(`[harness] KurrentDB from ${harness.source}: ${harness.uri}`);
  project.provide('kurrentdbUri', harness.uri);
  project.provide('kurrentdbSource', harness.source);
  return () => harness.stop();
}
