/**
 * Placeholder: filled in by the adapters/sqlite work.
 *
 * @module
 */
export {};
