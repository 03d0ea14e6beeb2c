import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/testing/test-server/log/log-record.js';
import {
  DELETED_STREAM_TB,
  parseStreamMetadata,
} from '../../src/testing/test-server/log/stream-metadata.js';

function metadataRecord(json: string, contentType = 'application/json'): LogRecord {
  return {
    position: 1,
    endPosition: 2,
    streamId: '$$s',
    revision: 0,
    eventId: '00000000-0000-0000-0000-000000000001',
    eventType: '$metadata',
    contentType,
    createdTicks: 0n,
    createdMs: 0,
    data: Buffer.from(json, 'utf8'),
    customMetadata: new Uint8Array(0),
  };
}

describe('stream metadata as a node reads it', () => {
  it('reads $maxCount, $maxAge and $tb, ignoring custom keys', () => {
    expect(
      parseStreamMetadata(
        metadataRecord(
          '{"$maxCount":3,"$maxAge":60,"$tb":2,"custom":{"x":[1]},"$acl":{"$r":"$all"}}',
        ),
      ),
    ).toEqual({ maxCount: 3, maxAgeSeconds: 60, truncateBefore: 2 });
  });

  it('recognises the soft-delete marker', () => {
    expect(parseStreamMetadata(metadataRecord('{"$tb":9223372036854775807}')).truncateBefore).toBe(
      DELETED_STREAM_TB,
    );
  });

  it('ignores non-positive counts and ages and a negative $tb', () => {
    expect(parseStreamMetadata(metadataRecord('{"$maxCount":0,"$maxAge":-1,"$tb":-5}'))).toEqual(
      {},
    );
  });

  it('voids everything when a known key has the wrong type or $acl is malformed', () => {
    expect(parseStreamMetadata(metadataRecord('{"$maxCount":"3","$tb":2}'))).toEqual({});
    expect(parseStreamMetadata(metadataRecord('{"$tb":2,"$acl":{"$x":"a"}}'))).toEqual({});
    expect(parseStreamMetadata(metadataRecord('{"$tb":2,"$tempStream":1}'))).toEqual({});
  });

  it('ignores metadata that is not a JSON object or not a JSON event', () => {
    expect(parseStreamMetadata(metadataRecord('[1]'))).toEqual({});
    expect(parseStreamMetadata(metadataRecord('not json'))).toEqual({});
    expect(
      parseStreamMetadata(metadataRecord('{"$maxCount":3}', 'application/octet-stream')),
    ).toEqual({});
  });
});
