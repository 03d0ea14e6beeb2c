import { describe, expect, it } from 'vitest';
import {
  compileDotnetRegex,
  InvalidRegexError,
} from '../../src/testing/test-server/read/dotnet-regex.js';

const matches = (pattern: string, input: string) => compileDotnetRegex(pattern).test(input);

describe('.NET Regex.Match semantics', () => {
  it('searches unanchored unless the pattern anchors', () => {
    expect(matches('order', 'customer-order-1')).toBe(true);
    expect(matches('^order', 'customer-order-1')).toBe(false);
    expect(matches('^[^$].*', '$metadata')).toBe(false);
    expect(matches('^[^$].*', 'OrderPlaced')).toBe(true);
    expect(matches('^[^$].*', '')).toBe(false);
  });

  it('lets $ match before a final newline, as .NET does', () => {
    expect(matches('abc$', 'abc\n')).toBe(true);
    expect(matches('abc$', 'abc\nx')).toBe(false);
  });

  it('keeps $ literal inside a character class', () => {
    expect(matches('[$]all', '$all')).toBe(true);
    expect(matches('^[$]', 'all')).toBe(false);
  });

  it('supports \\A, \\z and \\Z', () => {
    expect(matches('\\Aabc', 'abc')).toBe(true);
    expect(matches('\\Aabc', 'xabc')).toBe(false);
    expect(matches('abc\\z', 'abc\n')).toBe(false);
    expect(matches('abc\\Z', 'abc\n')).toBe(true);
  });

  it('turns a leading (?i) into the ignore-case flag', () => {
    expect(matches('(?i)^order', 'ORDER-1')).toBe(true);
    expect(matches('^order', 'ORDER-1')).toBe(false);
  });

  it('rejects patterns that do not compile', () => {
    expect(() => compileDotnetRegex('(unclosed')).toThrow(InvalidRegexError);
  });
});
