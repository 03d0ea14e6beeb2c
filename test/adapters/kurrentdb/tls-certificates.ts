/**
 * The test PKI now lives in `test/support/tls-certificates.ts`; this re-export keeps the older
 * import path working.
 *
 * @module
 */
export { makeTestCertificates, type TestCertificates } from '../../support/tls-certificates.js';
