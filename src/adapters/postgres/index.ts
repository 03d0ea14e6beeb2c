/**
 * Placeholder: filled in by the adapters/postgres work.
 *
 * @module
 */
export {};
