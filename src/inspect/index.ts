/**
 * Placeholder: filled in by the inspect work.
 *
 * @module
 */
export {};
