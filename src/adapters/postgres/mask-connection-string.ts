/**
 * Hides the password of a PostgreSQL connection string, for logs and error messages.
 *
 * @module
 */

/**
 * `postgres://user:***@host:5432/db` for `postgres://user:secret@host:5432/db`; a string that
 * is not a URL is returned with any `password=…` parameter masked.
 */
export function maskConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return connectionString.replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
}
