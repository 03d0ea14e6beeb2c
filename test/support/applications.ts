/**
 * Applications opened by a test file and closed after each test.
 */
import { afterEach } from 'vitest';
import { Application } from '../../src/application/application.js';

/**
 * Returns `open(extra?)`: a new Application named `name` with `env` plus `extra`; every one opened
 * is closed after the test.
 */
export function useApplications(
  name: string,
  env: Record<string, string | undefined>,
): (extra?: Record<string, string>) => Application {
  const apps: Application[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  return (extra = {}) => {
    const app = new Application({ name, env: { ...env, ...extra } });
    apps.push(app);
    return app;
  };
}
