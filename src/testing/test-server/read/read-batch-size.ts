/**
 * Page size of a node's read and catch-up enumerators (`Enumerator.DefaultReadBatchSize`), and
 * the default filter search window.
 *
 * @module
 */

/** 32 events per page. */
export const READ_BATCH_SIZE = 32;
