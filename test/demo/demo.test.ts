import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';

describe('the main demo', () => {
  it('writes, rejects a stale writer, sees live notifications and reads history back', async () => {
    const lines: string[] = [];
    await runDemo((line) => lines.push(line));
    expect(lines[0]).toMatch(/^KurrentDB test server listening: kurrentdb:\/\//);
    expect(lines).toContain('A stale writer was rejected: IntegrityError');
    const notifications = lines.filter((line) => line.startsWith('  notification '));
    expect(notifications).toHaveLength(3);
    expect(notifications[0]).toContain('DogSchool.Registered {"name":"Fido"}');
    expect(lines).toContain('Tricks read back: roll over, play dead');
    expect(lines.at(-1)).toBe('Done.');
  });
});
