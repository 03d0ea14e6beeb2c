/**
 * Translates a .NET regular expression (as a node compiles it for `$all` filters) into a
 * JavaScript `RegExp` with the same `Regex.Match` semantics for the patterns clients use:
 * unanchored search, `$` also matching before a final newline, `\A`, `\Z`, `\z`, and leading
 * inline options such as `(?i)`.
 *
 * @module
 */

/** Thrown when a pattern cannot be compiled (a node fails the call in that case). */
export class InvalidRegexError extends Error {
  override readonly name = 'InvalidRegexError';
}

const INLINE_OPTIONS = /^\(\?([imsx]+)\)/;

/** Compiles a .NET pattern into an equivalent JS RegExp. */
export function compileDotnetRegex(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const options = INLINE_OPTIONS.exec(source);
  if (options !== null) {
    const letters = options[1] ?? '';
    if (letters.includes('x')) throw new InvalidRegexError(`unsupported option in ${pattern}`);
    for (const letter of letters) if (!flags.includes(letter)) flags += letter;
    source = source.slice(options[0].length);
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new InvalidRegexError(`trailing backslash in ${pattern}`);
      i++;
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'z') out += '(?![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?=\\n?(?![\\s\\S]))';
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
      out += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (char === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
      continue;
    }
    out += char;
  }
  try {
    return new RegExp(out, flags);
  } catch (error) {
    throw new InvalidRegexError(`invalid pattern ${pattern}`, { cause: error });
  }
}
