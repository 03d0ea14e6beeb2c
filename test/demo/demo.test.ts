import { describe, expect, inject, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';

describe('the main demo', () => {
  it('starts the in-process test server when KURRENTDB_URI is unset and says so', async () => {
    const lines: string[] = [];
    await runDemo((line) => lines.push(line), {});
    expect(lines[0]).toMatch(
      /^KURRENTDB_URI is not set: started the in-process KurrentDB test server at kurrentdb:\/\//,
    );
    expect(lines).toContain('Fido: {"name":"Fido","tricks":["roll over","play dead"]}');
    expect(lines).toContain('Registering Fido again: IntegrityError');
    expect(
      lines.some((l) =>
        /^Rejected: Dog '.*' in state "registered" rejected command 'register'/.test(l),
      ),
    ).toBe(true);
    expect(lines).toContain(
      'After two writers: {"name":"Fido","tricks":["roll over","play dead","sit","stay"]}',
    );
    expect(lines).toContain('Fido at version 1: ["roll over"]');
    const notifications = lines.filter((line) => /^ {2}\d+: Dog\./.test(line));
    expect(notifications).toHaveLength(4);
    expect(notifications[0]).toContain('Dog.Registered {"name":"Fido"}');
    // A fresh server: the count projection sees exactly this run's dog and tricks.
    expect(lines).toContain(
      'Count projection (live): 0 dogs, 0 tricks before, 1 dogs, 4 tricks now',
    );
    expect(lines.at(-1)).toBe('Done.');
  });

  it('uses the server in KURRENTDB_URI when it is set', async () => {
    const lines: string[] = [];
    await runDemo((line) => lines.push(line), { KURRENTDB_URI: inject('kurrentdbUri') });
    expect(lines[0]).toMatch(/^Using KurrentDB at kurrentdb:\/\/.* \(from KURRENTDB_URI\)$/);
    // A shared server: other dogs count too, but the projection ends live and the demo completes.
    expect(
      lines.some(
        (l) => l.startsWith('Count projection (live):') || l.startsWith('Projection failed:'),
      ),
    ).toBe(true);
    expect(lines.at(-1)).toBe('Done.');
  });
});
