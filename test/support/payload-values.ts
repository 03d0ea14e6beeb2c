/**
 * fast-check arbitraries of payload values: what the transcoder can store (plain JSON, the
 * built-in types, edge numbers, any unicode, nesting) and what it must refuse.
 */
import fc from 'fast-check';

/** Strings of any code points, lone surrogates included. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
  fc.constantFrom('', '_type_', '_data_', '__proto__', 'constructor', 'type'),
);

const edgeNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(
    -0,
    0,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.EPSILON,
  ),
);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  edgeNumber,
  fc.boolean(),
  fc.constant(null),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 8 }),
  fc.webUrl().map((href) => new URL(href)),
);

/** Values the transcoder stores: they must come back equal, types included. */
export const storableValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 4 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((e) => new Map(e)),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => new Set(values)),
    // The escape case: a plain object that looks like a transcoded value.
    tie('value').map((data) => ({ _type_: 'datetime_iso', _data_: data })),
  ),
})).value;

class Money {
  constructor(readonly cents: number) {}
}

/** Values the transcoder must refuse, each wrapped somewhere inside a storable one. */
export const unstorableValue: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom<() => unknown>(
      () => () => 1,
      () => Symbol('s'),
      () => Number.NaN,
      () => Number.POSITIVE_INFINITY,
      () => Number.NEGATIVE_INFINITY,
      () => new Money(5),
      () => new Date(Number.NaN),
      () => [1, undefined, 3],
      () => new Int16Array(2),
      () => {
        const cyclic: Record<string, unknown> = { a: 1 };
        cyclic.self = cyclic;
        return cyclic;
      },
    ),
    fc.constantFrom<(bad: unknown) => unknown>(
      (bad) => bad,
      (bad) => [bad],
      (bad) => ({ nested: { deeper: bad } }),
      (bad) => new Map([['k', bad]]),
      (bad) => new Set([bad]),
    ),
  )
  .map(([make, wrap]) => wrap(make()));
