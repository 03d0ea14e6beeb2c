import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigurationError, ProgrammingError } from '../../src/core/errors.js';
import {
  BUILT_IN_TRANSCODING_NAMES,
  defaultTranscoder,
  nonFiniteNumbers,
  Transcoder,
  type Transcoding,
} from '../../src/core/transcoder.js';

const WHAT = "the payload of event 'Registered'";

const encode = (value: unknown): string => defaultTranscoder.encode(value, WHAT);
const decode = (text: string): unknown => defaultTranscoder.decode(text);
const roundTrip = (value: unknown, transcoder: Transcoder = defaultTranscoder): unknown =>
  transcoder.decode(transcoder.encode(value, WHAT));

/** The ProgrammingError that encoding `value` throws. */
function encodingError(value: unknown, transcoder: Transcoder = defaultTranscoder): Error {
  try {
    transcoder.encode(value, WHAT);
  } catch (error) {
    expect(error).toBeInstanceOf(ProgrammingError);
    expect((error as Error).message).toContain(WHAT);
    return error as Error;
  }
  throw new Error('expected encode to throw');
}

/** The error that decoding `text` throws. */
function decodingError(text: string, transcoder: Transcoder = defaultTranscoder): Error {
  try {
    transcoder.decode(text);
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected decode to throw');
}

class Money {
  constructor(
    readonly amount: bigint,
    readonly currency: string,
  ) {}
}

const money: Transcoding<Money> = {
  name: 'money',
  type: Money,
  encode: (m) => ({ amount: m.amount, currency: m.currency }),
  decode: (data) => {
    const { amount, currency } = data as { amount: bigint; currency: string };
    return new Money(amount, currency);
  },
};

class Celsius {
  constructor(readonly degrees: number) {}
}

const celsius: Transcoding<Celsius> = {
  name: 'celsius',
  is: (value): value is Celsius => value instanceof Celsius,
  encode: (c) => c.degrees,
  decode: (data) => new Celsius(data as number),
};

describe('Transcoder: the format', () => {
  it('writes plain JSON values as JSON.stringify does', () => {
    const values: unknown[] = [
      { name: 'Fido', tricks: ['sit'] },
      'text',
      12.5,
      true,
      null,
      [],
      {},
      [1, 'a', null, { b: [false] }],
      Object.assign(Object.create(null), { a: 1 }),
    ];
    for (const value of values) expect(encode(value)).toBe(JSON.stringify(value));
  });

  it('writes each built-in as a {"_type_", "_data_"} object', () => {
    expect(encode(new Date(0))).toBe(
      '{"_type_":"datetime_iso","_data_":"1970-01-01T00:00:00.000Z"}',
    );
    expect(encode(12n)).toBe('{"_type_":"bigint_str","_data_":"12"}');
    expect(encode(-12345678901234567890n)).toBe(
      '{"_type_":"bigint_str","_data_":"-12345678901234567890"}',
    );
    expect(encode(new Map([['a', 1]]))).toBe('{"_type_":"map","_data_":[["a",1]]}');
    expect(encode(new Set([1, 2]))).toBe('{"_type_":"set","_data_":[1,2]}');
    expect(encode(new Uint8Array([1, 2, 3, 250]))).toBe(
      '{"_type_":"bytes_base64","_data_":"AQID+g=="}',
    );
    expect(encode(new URL('https://example.com/a?b=1'))).toBe(
      '{"_type_":"url","_data_":"https://example.com/a?b=1"}',
    );
  });

  it('transcodes the data recursively', () => {
    expect(encode(new Map([[1n, new Set(['a'])]]))).toBe(
      '{"_type_":"map","_data_":[[{"_type_":"bigint_str","_data_":"1"},{"_type_":"set","_data_":["a"]}]]}',
    );
    expect(encode({ born: new Date(0), tags: ['x'] })).toBe(
      '{"born":{"_type_":"datetime_iso","_data_":"1970-01-01T00:00:00.000Z"},"tags":["x"]}',
    );
  });

  it('escapes a plain object with exactly the keys _type_ and _data_', () => {
    expect(encode({ _type_: 'x', _data_: 1 })).toBe(
      '{"_type_":"object","_data_":{"_type_":"x","_data_":1}}',
    );
    // Not ambiguous: written as they are.
    expect(encode({ _type_: 'x' })).toBe('{"_type_":"x"}');
    expect(encode({ _type_: 'x', _data_: 1, more: 2 })).toBe('{"_type_":"x","_data_":1,"more":2}');
    // JSON would leave `gone` out, making it ambiguous: escaped.
    expect(encode({ _type_: 'x', _data_: 1, gone: undefined })).toBe(
      '{"_type_":"object","_data_":{"_type_":"x","_data_":1}}',
    );
  });

  it('writes -0 as 0 and leaves undefined properties out', () => {
    expect(encode(-0)).toBe('0');
    expect(encode({ a: undefined, b: 1 })).toBe('{"b":1}');
    // The same in the converting walk (a Date forces it).
    expect(encode({ a: undefined, z: -0, d: new Date(0) })).toBe(
      '{"z":0,"d":{"_type_":"datetime_iso","_data_":"1970-01-01T00:00:00.000Z"}}',
    );
  });

  it('lists the built-in names', () => {
    expect([...BUILT_IN_TRANSCODING_NAMES].sort()).toEqual(
      ['bigint_str', 'bytes_base64', 'datetime_iso', 'map', 'object', 'set', 'url'].sort(),
    );
    expect(Object.isFrozen(BUILT_IN_TRANSCODING_NAMES)).toBe(true);
  });
});

describe('Transcoder: round trips', () => {
  it('Date', () => {
    const date = new Date('2024-02-29T12:34:56.789Z');
    const back = roundTrip(date);
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).getTime()).toBe(date.getTime());
    expect(back).toEqual(date);
    const far = new Date(8.64e15);
    expect((roundTrip(far) as Date).getTime()).toBe(8.64e15);
  });

  it('bigint', () => {
    for (const n of [0n, 1n, -1n, 2n ** 200n, -(2n ** 70n)]) {
      const back = roundTrip(n);
      expect(typeof back).toBe('bigint');
      expect(back).toBe(n);
    }
  });

  it('Map and Set', () => {
    const map = new Map<unknown, unknown>([
      ['a', 1],
      [2, 'b'],
      [null, [true]],
    ]);
    const backMap = roundTrip(map);
    expect(backMap).toBeInstanceOf(Map);
    expect([...(backMap as Map<unknown, unknown>)]).toEqual([...map]);
    const set = new Set(['x', 3, null]);
    const backSet = roundTrip(set);
    expect(backSet).toBeInstanceOf(Set);
    expect([...(backSet as Set<unknown>)]).toEqual([...set]);
  });

  it('Uint8Array, a Buffer and a view with an offset decode as plain Uint8Arrays', () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const back = roundTrip(bytes) as Uint8Array;
    expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
    expect([...back]).toEqual([0, 1, 2, 255]);

    const buffer = Buffer.from('hello');
    const fromBuffer = roundTrip(buffer) as Uint8Array;
    expect(Object.getPrototypeOf(fromBuffer)).toBe(Uint8Array.prototype);
    expect(Buffer.from(fromBuffer).toString()).toBe('hello');

    const view = new Uint8Array([9, 1, 2, 9]).subarray(1, 3);
    expect([...(roundTrip(view) as Uint8Array)]).toEqual([1, 2]);
    expect([...(roundTrip(new Uint8Array(0)) as Uint8Array)]).toEqual([]);
  });

  it('URL', () => {
    const url = new URL('https://user@example.com:8080/p/a?q=1#h');
    const back = roundTrip(url);
    expect(back).toBeInstanceOf(URL);
    expect((back as URL).href).toBe(url.href);
  });

  it('nested combinations: a Map with Date keys, Sets of bigints inside arrays', () => {
    const value = {
      seen: new Map([
        [new Date(0), new Set([1n, 2n])],
        [new Date(1000), new Set<bigint>()],
      ]),
      rows: [[new Set([3n])], { at: new Date(5) }],
      nested: new Map([['inner', new Map([[new URL('https://a.example/'), new Uint8Array([7])]])]]),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toEqual(value);
    const [key] = back.seen.keys();
    expect(key).toBeInstanceOf(Date);
    expect([...(back.seen.get(key as Date) ?? [])]).toEqual([1n, 2n]);
    expect((back.rows[0] as Set<bigint>[])[0]).toBeInstanceOf(Set);
    const inner = back.nested.get('inner');
    expect(inner).toBeInstanceOf(Map);
    const [[url, bytes]] = [...(inner as Map<URL, Uint8Array>)] as [[URL, Uint8Array]];
    expect(url).toBeInstanceOf(URL);
    expect(bytes).toBeInstanceOf(Uint8Array);
  });

  it('the escape: an object shaped like a tag comes back as that object', () => {
    const lookalike = { _type_: 'datetime_iso', _data_: '1970-01-01T00:00:00.000Z' };
    const back = roundTrip(lookalike);
    expect(back).not.toBeInstanceOf(Date);
    expect(back).toEqual(lookalike);

    const holding = { _type_: 'anything', _data_: new Date(0) };
    const backHolding = roundTrip(holding) as typeof holding;
    expect(backHolding._data_).toBeInstanceOf(Date);
    expect(backHolding).toEqual(holding);

    // An escaped object inside an escaped object.
    const deep = { _type_: 'object', _data_: { _type_: 'x', _data_: [new Set([1])] } };
    expect(roundTrip(deep)).toEqual(deep);
    expect(roundTrip([{ list: [lookalike] }])).toEqual([{ list: [lookalike] }]);
  });

  it('-0 decodes as 0', () => {
    expect(Object.is(roundTrip(-0), 0)).toBe(true);
    const back = roundTrip({ z: -0, d: new Date(0) }) as { z: number };
    expect(Object.is(back.z, 0)).toBe(true);
  });

  it('undefined properties are left out', () => {
    const back = roundTrip({ a: undefined, b: 1, c: { d: undefined, e: new Set([1]) } });
    expect(back).toStrictEqual({ b: 1, c: { e: new Set([1]) } });
    expect(Object.hasOwn(back as object, 'a')).toBe(false);
  });

  it('shared (non-cyclic) references are written twice and come back as equal copies', () => {
    const shared = { v: new Date(1) };
    const back = roundTrip({ a: shared, b: shared, list: [shared, shared] }) as {
      a: typeof shared;
      b: typeof shared;
    };
    expect(back.a).toEqual(shared);
    expect(back.b).toEqual(shared);
    const plainShared = { v: 1 };
    expect(roundTrip({ a: plainShared, b: plainShared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });

  it('plain objects and arrays of another realm are plain', () => {
    const foreign = runInNewContext('({ a: [1, { b: 2 }] })') as object;
    expect(foreign).not.toBeInstanceOf(Object);
    expect(encode(foreign)).toBe('{"a":[1,{"b":2}]}');
    expect(encode({ foreign, d: new Date(0) })).toBe(
      '{"foreign":{"a":[1,{"b":2}]},"d":{"_type_":"datetime_iso","_data_":"1970-01-01T00:00:00.000Z"}}',
    );
  });

  it('a __proto__ key stays an own property', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"d":null}') as Record<string, unknown>;
    value.d = new Date(0);
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ x: 1 });
    const decoded = decode('{"__proto__":{"_type_":"bigint_str","_data_":"1"}}') as object;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe(1n);
  });

  it('property: values of plain JSON and the built-ins survive, and re-encode identically', () => {
    const finite = fc
      .double({ noNaN: true, noDefaultInfinity: true })
      .filter((n) => !Object.is(n, -0));
    const leaf = fc.oneof(
      fc.string(),
      finite,
      fc.boolean(),
      fc.constant(null),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 8 }),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        tie('array'),
        tie('object'),
        tie('map'),
        tie('set'),
      ),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(
        fc.oneof(fc.string(), fc.constantFrom('_type_', '_data_', '__proto__')),
        tie('value'),
        { maxKeys: 4 },
      ),
      map: fc
        .array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 })
        .map((entries) => new Map(entries)),
      set: fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
    }));
    fc.assert(
      fc.property(value, (v) => {
        const text = encode(v);
        const back = decode(text);
        expect(back).toEqual(v);
        expect(encode(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Transcoder: reading plain JSON', () => {
  it('reads what JSON.stringify wrote exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(decode(text)).toStrictEqual(JSON.parse(text));
        expect(defaultTranscoder.fromJSONValue(JSON.parse(text))).toStrictEqual(JSON.parse(text));
        // And plain JSON is written as JSON.stringify writes it.
        expect(encode(v)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('objects with other keys than exactly _type_ and _data_ are plain', () => {
    const texts = [
      '{"_type_":"map"}',
      '{"_data_":[]}',
      '{"_type_":"map","_data_":[],"x":1}',
      '{"_type_":1,"_data_":[]}',
      '[{"_type_":"nope","_data_":1,"also":2}]',
    ];
    for (const text of texts) expect(decode(text)).toStrictEqual(JSON.parse(text));
  });

  it('finds a tag written with \\u escapes (the fast path does not skip it)', () => {
    const back = decode('{"\\u005ftype_":"bigint_str","_data_":"7"}');
    expect(back).toBe(7n);
  });

  it('toJSONValue and fromJSONValue share plain values, and never mutate', () => {
    const plain = { a: [1, { b: 'c' }] };
    expect(defaultTranscoder.toJSONValue(plain, WHAT)).toBe(plain);
    expect(defaultTranscoder.fromJSONValue(plain)).toBe(plain);

    const json = defaultTranscoder.toJSONValue({ keep: { x: 1 }, when: new Date(0) }, WHAT);
    expect(json).toEqual({
      keep: { x: 1 },
      when: { _type_: 'datetime_iso', _data_: '1970-01-01T00:00:00.000Z' },
    });
    const frozen = deepFreeze(structuredClone(json)) as { keep: object };
    const back = defaultTranscoder.fromJSONValue(frozen) as { keep: object; when: Date };
    expect(back.when).toBeInstanceOf(Date);
    expect(back.keep).toBe(frozen.keep); // untouched parts are shared
    expect((frozen as unknown as { when: unknown }).when).toEqual({
      _type_: 'datetime_iso',
      _data_: '1970-01-01T00:00:00.000Z',
    });
  });

  it('reads ISO date-times other writers produce', () => {
    const read = (iso: string): number =>
      (decode(JSON.stringify({ _type_: 'datetime_iso', _data_: iso })) as Date).getTime();
    expect(read('2020-01-01T00:00:00+01:00')).toBe(Date.UTC(2019, 11, 31, 23));
    expect(read('2020-01-01T00:00:00')).toBe(Date.UTC(2020, 0, 1)); // no offset: UTC
    expect(read('2020-01-01T00:00:00.123456+00:00')).toBe(Date.UTC(2020, 0, 1, 0, 0, 0, 123));
    expect(read('2020-01-01')).toBe(Date.UTC(2020, 0, 1));
    expect(read('+010000-01-01T00:00:00.000Z')).toBe(Date.UTC(10000, 0, 1));
  });
});

describe('Transcoder: registered transcodings', () => {
  it('by class: round trip, with data transcoded recursively', () => {
    const transcoder = new Transcoder([money]);
    const price = new Money(1999n, 'EUR');
    expect(transcoder.encode({ price }, WHAT)).toBe(
      '{"price":{"_type_":"money","_data_":{"amount":{"_type_":"bigint_str","_data_":"1999"},"currency":"EUR"}}}',
    );
    const back = roundTrip({ price, list: [price] }, transcoder) as { price: Money; list: Money[] };
    expect(back.price).toBeInstanceOf(Money);
    expect(back.price).toEqual(price);
    expect(back.list[0]).toBeInstanceOf(Money);
  });

  it('by predicate', () => {
    const transcoder = new Transcoder().register(celsius);
    expect(transcoder.encode(new Celsius(21.5), WHAT)).toBe('{"_type_":"celsius","_data_":21.5}');
    const back = roundTrip(new Map([['kitchen', new Celsius(21.5)]]), transcoder) as Map<
      string,
      Celsius
    >;
    expect(back.get('kitchen')).toBeInstanceOf(Celsius);
    expect(back.get('kitchen')?.degrees).toBe(21.5);
    // Plain values still take the plain route.
    expect(transcoder.encode({ a: [1, 'b'] }, WHAT)).toBe('{"a":[1,"b"]}');
  });

  it('a predicate that matches plain values', () => {
    const upper: Transcoding<string> = {
      name: 'shout',
      is: (value): value is string => typeof value === 'string' && value.endsWith('!'),
      encode: (s) => s.slice(0, -1),
      decode: (data) => `${data as string}!`,
    };
    const transcoder = new Transcoder([upper]);
    expect(transcoder.encode({ a: 'hi!', b: 'hi' }, WHAT)).toBe(
      '{"a":{"_type_":"shout","_data_":"hi"},"b":"hi"}',
    );
    expect(roundTrip({ a: 'hi!', b: 'hi' }, transcoder)).toEqual({ a: 'hi!', b: 'hi' });
  });

  it('are tried before the built-ins, in registration order', () => {
    class Registry extends Map<string, number> {}
    const registry: Transcoding<Registry> = {
      name: 'registry',
      type: Registry,
      encode: (r) => [...r],
      decode: (data) => new Registry(data as [string, number][]),
    };
    const anyMap: Transcoding<Map<unknown, unknown>> = {
      name: 'any_map',
      type: Map,
      encode: (m) => [...m],
      decode: (data) => new Map(data as [unknown, unknown][]),
    };
    const transcoder = new Transcoder([registry, anyMap]);
    const back = roundTrip(new Registry([['a', 1]]), transcoder);
    expect(back).toBeInstanceOf(Registry);
    expect((back as Registry).get('a')).toBe(1);
    expect(transcoder.encode(new Map([['a', 1]]), WHAT)).toBe(
      '{"_type_":"any_map","_data_":[["a",1]]}',
    );
    // Without it, a subclass of Map is refused (it would come back as a Map).
    expect(encodingError({ r: new Registry() }).message).toMatch(
      /instance of class Registry .*at \.r/,
    );
  });

  it('with both type and is, both must match', () => {
    const euros: Transcoding<Money> = {
      name: 'euros',
      type: Money,
      is: (value): value is Money => (value as Money).currency === 'EUR',
      encode: (m) => m.amount,
      decode: (data) => new Money(data as bigint, 'EUR'),
    };
    const transcoder = new Transcoder([euros, money]);
    expect(transcoder.encode(new Money(1n, 'EUR'), WHAT)).toContain('"euros"');
    expect(transcoder.encode(new Money(1n, 'USD'), WHAT)).toContain('"money"');
  });

  it('nonFiniteNumbers is exported but not registered by default', () => {
    expect(nonFiniteNumbers.name).toBe('float');
    const transcoder = new Transcoder([nonFiniteNumbers]);
    expect(transcoder.encode([Number.NaN, Number.POSITIVE_INFINITY, 1], WHAT)).toBe(
      '[{"_type_":"float","_data_":"NaN"},{"_type_":"float","_data_":"Infinity"},1]',
    );
    const back = roundTrip(
      { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY, d: 2 },
      transcoder,
    ) as Record<string, number>;
    expect(back.a).toBeNaN();
    expect(back.b).toBe(Number.POSITIVE_INFINITY);
    expect(back.c).toBe(Number.NEGATIVE_INFINITY);
    expect(back.d).toBe(2);
    expect(encodingError({ a: Number.NaN }).message).toMatch(/NaN at \.a.*nonFiniteNumbers/);
    expect(decodingError('{"_type_":"float","_data_":"NaN"}').message).toMatch(
      /unknown _type_ 'float'/,
    );
  });

  it('registration is checked', () => {
    for (const name of BUILT_IN_TRANSCODING_NAMES) {
      expect(() => new Transcoder([{ ...money, name }])).toThrow(ConfigurationError);
    }
    expect(() => new Transcoder([{ ...money, name: 'map' }])).toThrow(/'map' is built in/);
    expect(() => new Transcoder([money, { ...money }])).toThrow(/already registered/);
    expect(() => new Transcoder([{ ...money, name: '' }])).toThrow(ConfigurationError);
    const { type: _type, ...noMatcher } = money;
    expect(() => new Transcoder([noMatcher])).toThrow(/needs a type .* or is/);
    expect(() => defaultTranscoder.register(money)).toThrow(ProgrammingError);
    expect(() => encode(new Money(1n, 'EUR'))).toThrow(/instance of class Money/);
    const transcoder = new Transcoder();
    expect(transcoder.register(money)).toBe(transcoder);
    expect(Object.isFrozen(defaultTranscoder)).toBe(true);
  });

  it('register infers the type of an inline transcoding', () => {
    const transcoder = new Transcoder().register({
      name: 'money',
      type: Money,
      encode: (m) => {
        expectTypeOf(m).toEqualTypeOf<Money>();
        return [m.amount, m.currency];
      },
      decode: (data) => {
        const [amount, currency] = data as [bigint, string];
        return new Money(amount, currency);
      },
    });
    expect(roundTrip(new Money(3n, 'GBP'), transcoder)).toEqual(new Money(3n, 'GBP'));
  });
});

describe('Transcoder: refusals name what and where', () => {
  it('functions', () => {
    expect(encodingError({ tags: ['a', 'b', function bark() {}] }).message).toBe(
      "Can't encode the payload of event 'Registered': found a function ('bark') at .tags[2]: functions are not data",
    );
    expect(encodingError(() => 1).message).toMatch(/function at the top level/);
  });

  it('symbols, as values and as own enumerable keys', () => {
    expect(encodingError({ a: Symbol('s') }).message).toMatch(/symbol \(Symbol\(s\)\) at \.a/);
    expect(encodingError({ a: { [Symbol('k')]: 1 } }).message).toMatch(
      /symbol-keyed property at \.a\[Symbol\(k\)\]/,
    );
    // A non-enumerable symbol key is not data, as in JSON.
    const hidden = { x: 1 };
    Object.defineProperty(hidden, Symbol('meta'), { value: 1, enumerable: false });
    expect(encode(hidden)).toBe('{"x":1}');
  });

  it('cyclic references, but not shared ones', () => {
    const top: Record<string, unknown> = { b: {} };
    (top.b as Record<string, unknown>).c = top;
    expect(encodingError(top).message).toMatch(
      /cyclic reference at \.b\.c: it refers back to the top-level value/,
    );
    const node: Record<string, unknown> = { name: 'n' };
    node.self = [node];
    expect(encodingError({ x: { y: [node] } }).message).toMatch(
      /cyclic reference at \.x\.y\[0\]\.self\[0\]: it refers back to \.x\.y\[0\], which contains it/,
    );
    const map = new Map<string, unknown>();
    map.set('me', map);
    expect(encodingError({ owners: map }).message).toMatch(
      /cyclic reference at \.owners<map value>: it refers back to \.owners/,
    );
    const shared = [1];
    expect(encode({ a: shared, b: [shared] })).toBe('{"a":[1],"b":[[1]]}');
  });

  it('class instances, other typed arrays and buffers', () => {
    class Dog {
      name = 'Fido';
    }
    expect(encodingError({ pet: new Dog() }).message).toMatch(
      /instance of class Dog with no transcoding at \.pet: register a Transcoding for Dog/,
    );
    expect(encodingError({ samples: new Float64Array(2) }).message).toMatch(
      /Float64Array at \.samples: only Uint8Array/,
    );
    expect(encodingError({ raw: new ArrayBuffer(2) }).message).toMatch(/ArrayBuffer at \.raw/);
    expect(encodingError([new DataView(new ArrayBuffer(1))]).message).toMatch(/DataView at \[0\]/);
    expect(encodingError({ re: /x/ }).message).toMatch(/class RegExp/);
    class Tags extends Array<string> {}
    expect(encodingError({ tags: Tags.from(['a']) }).message).toMatch(/class Tags .*at \.tags/);
    expect(encodingError({ n: Object(1) }).message).toMatch(/class Number/);
    expect(encodingError(Object.create({ proto: true })).message).toMatch(/non-plain prototype/);
  });

  it('non-finite numbers and invalid Dates', () => {
    expect(encodingError({ score: Number.NaN }).message).toMatch(
      /found NaN at \.score: JSON can't represent it/,
    );
    expect(encodingError({ s: [Number.POSITIVE_INFINITY] }).message).toMatch(
      /found Infinity at \.s\[0\]/,
    );
    expect(encodingError(Number.NEGATIVE_INFINITY).message).toMatch(/-Infinity/);
    expect(encodingError({ when: new Date(Number.NaN) }).message).toMatch(/invalid Date at \.when/);
  });

  it('undefined in arrays and at the top', () => {
    expect(encodingError({ tags: ['a', undefined] }).message).toMatch(
      /undefined in an array at \.tags\[1\]: use null/,
    );
    // biome-ignore lint/suspicious/noSparseArray: a hole reads as undefined
    expect(encodingError([1, , 3]).message).toMatch(/undefined in an array at \[1\]/);
    expect(encodingError(undefined).message).toMatch(/found undefined at the top level/);
  });

  it('paths inside Maps, Sets, odd keys and transcoded data', () => {
    const fn = (): void => {};
    expect(encodingError({ owners: new Map([['a', fn]]) }).message).toMatch(
      /at \.owners<map value>:/,
    );
    expect(encodingError({ owners: new Map([[fn, 1]]) }).message).toMatch(/at \.owners<map key>:/);
    expect(encodingError({ s: new Set([fn]) }).message).toMatch(/at \.s<set value>:/);
    expect(encodingError({ 'odd key': { 0: fn } }).message).toMatch(/at \["odd key"\]\["0"\]:/);
    const transcoder = new Transcoder([money]);
    const bad = new Money(1n, 'EUR') as unknown as { currency: unknown };
    bad.currency = Number.NaN;
    expect(encodingError({ price: bad }, transcoder).message).toMatch(
      /NaN at \.price<money>\.currency/,
    );
  });

  it('nesting so deep that the stack overflows', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(encodingError(deep).message).toMatch(/nested too deeply/);
    // Deep but fine: past the fast check, still encoded.
    let fine: unknown = 'bottom';
    for (let i = 0; i < 500; i++) fine = { next: fine };
    expect(roundTrip(fine)).toEqual(fine);
    // Decoding: with a tag in it, the walk runs and overflows.
    const text = `${'['.repeat(200_000)}{"_type_":"bigint_str","_data_":"1"}${']'.repeat(200_000)}`;
    expect(decodingError(text).message).toMatch(/nested too deeply/);
  });

  it('a transcoding that throws, or encodes a value as itself', () => {
    const boom = new Error('boom');
    const throwing: Transcoding<Money> = {
      ...money,
      encode: () => {
        throw boom;
      },
    };
    const error = encodingError({ prices: [new Money(1n, 'EUR')] }, new Transcoder([throwing]));
    expect(error.message).toMatch(
      /transcoding 'money' threw encoding the value at \.prices\[0\]: boom/,
    );
    expect(error.cause).toBe(boom);

    const lazy: Transcoding<Money> = { ...money, encode: (m) => m };
    expect(encodingError({ p: new Money(1n, 'EUR') }, new Transcoder([lazy])).message).toMatch(
      /encodes as itself at \.p/,
    );
  });

  it('a getter that throws', () => {
    const boom = new Error('no');
    const value = {
      get broken(): never {
        throw boom;
      },
    };
    const error = encodingError({ a: value });
    expect(error.message).toMatch(/reading \.a\.broken threw: no/);
    expect(error.cause).toBe(boom);
  });
});

describe('Transcoder: decoding errors', () => {
  it('an unknown _type_ is named, with its path and what to do', () => {
    const error = decodingError('{"price":{"_type_":"money","_data_":{"amount":1}}}');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(
      /unknown _type_ 'money' at \.price: register a Transcoding named 'money'/,
    );
    const transcoder = new Transcoder([money]);
    expect(
      transcoder.decode(
        '{"_type_":"money","_data_":{"amount":{"_type_":"bigint_str","_data_":"5"},"currency":"EUR"}}',
      ),
    ).toEqual(new Money(5n, 'EUR'));
  });

  it('bad data for a built-in, a failing decode, bad JSON', () => {
    expect(decodingError('{"_type_":"bigint_str","_data_":"12.5"}').message).toMatch(
      /'bigint_str' value at the top level is invalid/,
    );
    expect(decodingError('[{"_type_":"datetime_iso","_data_":"yesterday"}]').message).toMatch(
      /'datetime_iso' value at \[0\] is invalid/,
    );
    expect(decodingError('{"_type_":"map","_data_":[[1]]}').message).toMatch(/'map' value/);
    expect(decodingError('{"_type_":"set","_data_":{}}').message).toMatch(/'set' value/);
    expect(decodingError('{"_type_":"bytes_base64","_data_":"a-b_"}').message).toMatch(
      /'bytes_base64' value/,
    );
    expect(decodingError('{"_type_":"url","_data_":"not a url"}').message).toMatch(/'url' value/);
    expect(decodingError('{"_type_":"object","_data_":[1]}').message).toMatch(/'object' value/);
    const boom = new Error('bad money');
    const failing = new Transcoder([
      {
        ...money,
        decode: () => {
          throw boom;
        },
      },
    ]);
    const error = decodingError('{"m":{"_type_":"money","_data_":1}}', failing);
    expect(error.message).toMatch(/'money' value at \.m is invalid: bad money/);
    expect(error.cause).toBe(boom);
    expect(decodingError('{"a":').name).toBe('SyntaxError');
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
