/**
 * Validation and masking of KurrentDB connection strings.
 *
 * The official client hands the raw string to two parsers (a JavaScript one and the Rust bridge's)
 * which disagree on details and report errors that quote the string, credentials included. This
 * module checks the string first, with one set of rules both parsers accept, and produces error
 * messages that never show the credentials.
 *
 * @module
 */
import { ConfigurationError } from '../../core/errors.js';

/** What the adapter needs to know about a validated connection string. */
export interface KurrentDBUri {
  /** The string as given (credentials included): what the client gets. */
  readonly uri: string;
  /** The string with its credentials replaced by `***`: what messages show. */
  readonly masked: string;
  /** Whether TLS is on (`tls` defaults to `true`). */
  readonly tls: boolean;
  /** The `tlsCAFile` query value, if any. */
  readonly tlsCaFile: string | undefined;
  /** The client's `defaultDeadline` in milliseconds (10 000 unless set). */
  readonly deadlineMs: number;
  /** One host and no `+discover`: the client connects to it directly, without gossip. */
  readonly singleNode: boolean;
  /** The lower-cased names of the query parameters given. */
  readonly parameters: ReadonlySet<string>;
}

const SCHEMES = new Set(['esdb', 'kurrentdb', 'kdb', 'kurrent']);
const BOOLEAN_KEYS = new Set(['tls', 'tlsverifycert', 'throwonappendfailure']);
const INTEGER_KEYS = new Set([
  'defaultdeadline',
  'keepaliveinterval',
  'keepalivetimeout',
  'maxdiscoverattempts',
  'discoveryinterval',
  'gossiptimeout',
]);
const TEXT_KEYS = new Set(['tlscafile', 'usercertfile', 'userkeyfile', 'connectionname']);
const NODE_PREFERENCES = new Set(['leader', 'follower', 'random', 'readonlyreplica']);
const HOST = /^[A-Za-z0-9._-]+$/;

/** Replaces the user-info part (`user:password@`) of a connection string with `***@`. */
export function maskUri(uri: string): string {
  const schemeEnd = uri.indexOf('://');
  const authorityStart = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const at = uri.lastIndexOf('@');
  if (at < authorityStart) return uri;
  return `${uri.slice(0, authorityStart)}***@${uri.slice(at + 1)}`;
}

/** Replaces every occurrence of the connection string's credentials in `text` with `***`. */
export function redactCredentials(uri: string, text: string): string {
  const schemeEnd = uri.indexOf('://');
  const authorityStart = schemeEnd === -1 ? 0 : schemeEnd + 3;
  const at = uri.lastIndexOf('@');
  if (at < authorityStart) return text;
  const userInfo = uri.slice(authorityStart, at);
  const secrets = new Set([userInfo, ...userInfo.split(':')].filter((s) => s.length > 0));
  for (const secret of secrets) {
    text = text.split(secret).join('***');
    const decoded = safeDecode(secret);
    if (decoded !== undefined && decoded.length > 0) text = text.split(decoded).join('***');
  }
  return text;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Checks a KurrentDB connection string: scheme, credentials, hosts and ports, path and query.
 *
 * @throws ConfigurationError naming the problem; the message shows the string with masked
 *   credentials.
 */
export function parseKurrentDBUri(uri: string): KurrentDBUri {
  const masked = maskUri(uri);
  const fail = (problem: string): never => {
    const safe = redactCredentials(uri, problem);
    throw new ConfigurationError(`Invalid KurrentDB URI '${masked}': ${safe}`);
  };
  const trimmed = uri.trim();
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(trimmed);
  if (!schemeMatch?.[1]) return fail('expected a scheme such as kurrentdb:// (or esdb://, kdb://)');
  const scheme = schemeMatch[1].toLowerCase();
  const base = scheme.endsWith('+discover') ? scheme.slice(0, -'+discover'.length) : scheme;
  if (!SCHEMES.has(base)) {
    return fail(
      `unknown scheme '${schemeMatch[1]}', expected kurrentdb, esdb, kdb or kurrent (optionally +discover)`,
    );
  }
  let rest = trimmed.slice(schemeMatch[0].length);
  if (rest.includes('#')) return fail('a fragment (#...) is not allowed');

  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const userInfo = rest.slice(0, at);
    const colon = userInfo.indexOf(':');
    if (colon <= 0 || colon === userInfo.length - 1) {
      return fail('credentials must be given as username:password@ (both non-empty)');
    }
    if (/[/?@]/.test(userInfo) || userInfo.includes(':', colon + 1)) {
      return fail("the credentials contain ':', '/', '?' or '@'; percent-encode them");
    }
    if (safeDecode(userInfo) === undefined)
      return fail('the credentials are not validly percent-encoded');
    rest = rest.slice(at + 1);
  }

  const queryStart = rest.indexOf('?');
  let authority = queryStart === -1 ? rest : rest.slice(0, queryStart);
  const query = queryStart === -1 ? '' : rest.slice(queryStart + 1);
  const slash = authority.indexOf('/');
  if (slash !== -1) {
    if (authority.slice(slash) !== '/')
      return fail(`a path ('${authority.slice(slash)}') is not allowed`);
    authority = authority.slice(0, slash);
  }
  if (authority === '') return fail('no host given');
  const hosts = authority.split(',');
  for (const hostPort of hosts) checkHost(hostPort, fail);

  const settings = parseQuery(query, fail);
  const deadline = settings.get('defaultdeadline');
  if (deadline !== undefined && Number(deadline) <= 0) {
    return fail(`defaultDeadline must be a positive number of milliseconds, got '${deadline}'`);
  }
  if (settings.has('usercertfile') !== settings.has('userkeyfile')) {
    return fail('userCertFile and userKeyFile must be given together');
  }
  return {
    uri,
    masked,
    tls: settings.get('tls') !== 'false',
    tlsCaFile: settings.get('tlscafile'),
    deadlineMs: deadline === undefined ? 10_000 : Number(deadline),
    singleNode: hosts.length === 1 && !scheme.endsWith('+discover'),
    parameters: new Set(settings.keys()),
  };
}

function checkHost(hostPort: string, fail: (problem: string) => never): void {
  const parts = hostPort.split(':');
  const host = parts[0] ?? '';
  if (host === '') fail(`empty host in '${hostPort}'`);
  if (!HOST.test(host)) fail(`invalid host '${host}'`);
  if (parts.length > 2) fail(`invalid host:port '${hostPort}'`);
  const port = parts[1];
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    fail(`port '${port}' is not a number between 1 and 65535`);
  }
}

function parseQuery(query: string, fail: (problem: string) => never): Map<string, string> {
  const settings = new Map<string, string>();
  if (query === '') return settings;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    if (key === '' || value === '') fail(`query parameter '${pair}' must be key=value`);
    const name = key.toLowerCase();
    if (BOOLEAN_KEYS.has(name)) {
      if (value !== 'true' && value !== 'false')
        fail(`${key} must be 'true' or 'false', got '${value}'`);
    } else if (INTEGER_KEYS.has(name)) {
      if (!/^-?\d+$/.test(value)) fail(`${key} must be an integer, got '${value}'`);
    } else if (name === 'nodepreference') {
      if (!NODE_PREFERENCES.has(value.toLowerCase().replace(/[_-]/g, ''))) {
        fail(`nodePreference must be leader, follower, random or readOnlyReplica, got '${value}'`);
      }
    } else if (TEXT_KEYS.has(name)) {
      const decoded = safeDecode(value);
      if (decoded === undefined) fail(`${key} is not validly percent-encoded`);
      settings.set(name, decoded ?? value);
      continue;
    } else {
      fail(`unknown query parameter '${key}'`);
    }
    settings.set(name, value);
  }
  return settings;
}

/** Adds `key=value` (value percent-encoded where needed) to a connection string's query. */
export function withQueryParameter(uri: string, key: string, value: string): string {
  const encoded = /^[A-Za-z0-9._/-]+$/.test(value) ? value : encodeURIComponent(value);
  const base = uri.trim().replace(/\/+$/, '');
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}${key}=${encoded}`;
}
