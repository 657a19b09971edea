import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError, lineColumn } from './jsonSyntaxError';
import { mulberry32 } from '../data/seededRandom';

const where = (text: string) => {
  const e = findJsonSyntaxError(text);
  return e && `${e.line}:${e.column} ${e.reason}`;
};

describe('findJsonSyntaxError', () => {
  it('points at the first offending character with a reason', () => {
    expect(where('{\n  "a": 1\n  "b": 2\n}')).toBe(`3:3 expected ',' or '}', found '"'`);
    expect(where('{"a": 1,}')).toBe("1:9 a trailing comma before '}'");
    expect(where('[1, 2,]')).toBe("1:7 a trailing comma before ']'");
    expect(where("{'a': 1}")).toBe('1:2 property names need double quotes');
    expect(where("['a']")).toBe('1:2 strings need double quotes');
    expect(where('{"a" 1}')).toBe("1:6 expected ':' after the property name, found '1'");
    expect(where('{"a": NaN}')).toBe('1:7 NaN is not allowed in JSON');
    expect(where('[Infinity]')).toBe('1:2 Infinity is not allowed in JSON');
    expect(where('[01]')).toBe('1:2 a number cannot start with 0');
    expect(where('[1.]')).toBe("1:4 expected a digit after '.', found ']'");
    expect(where('[1e+]')).toBe("1:5 expected a digit in the exponent, found ']'");
    expect(where('[-x]')).toBe("1:3 expected a digit, found 'x'");
    expect(where('["a\\x"]')).toBe("1:4 invalid escape '\\x' in a string");
    expect(where('["\\u12g4"]')).toBe('1:3 a \\u escape needs four hex digits');
    expect(where('["a\nb"]')).toBe('1:4 a line break inside a string (the closing quote is missing)');
    expect(where('[tru]')).toBe("1:2 expected a value, found 't'");
    expect(where('{} x')).toBe("1:4 unexpected 'x' after the end of the JSON value");
    expect(where('{,}')).toBe("1:2 expected a property name in double quotes, found ','");
  });

  it('tells a file cut short from a damaged one', () => {
    expect(findJsonSyntaxError('{"a": [1, 2')).toMatchObject({ line: 1, column: 12, reason: "the file ends before the closing ']'", truncated: true });
    expect(findJsonSyntaxError('{"a":')).toMatchObject({ column: 6, reason: 'the file ends in the middle of the JSON', truncated: true });
    expect(findJsonSyntaxError('{"a": "bc')).toMatchObject({ column: 7, reason: 'a string that is never closed', truncated: true });
    expect(findJsonSyntaxError('{"a": 1 x')).toMatchObject({ truncated: false });
  });

  it('counts lines at \\n, with \\r\\n line ends too', () => {
    expect(lineColumn('ab\ncd\r\nef', 7)).toEqual({ line: 3, column: 1 });
    expect(where('{\r\n"a": 1\r\n"b": 2}')).toBe(`3:1 expected ',' or '}', found '"'`);
  });

  it('agrees with JSON.parse on which texts are valid (mutated model JSON, 3000 cases)', () => {
    const base = JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 3, rate: -1.5e-3, use_bias: true, x: null } }] } },
      weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: [{ name: 'd/kernel', shape: [4, 3], dtype: 'float32' }] }],
      text: 'tab\t "quote" \\ \u00e9 \ud83d\ude00',
    }, null, 1);
    const rnd = mulberry32(42);
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', '.', 'e', 'n', 't', ' ', '\n', 'x', "'"];
    for (let k = 0; k < 3000; k++) {
      const at = Math.floor(rnd() * base.length);
      const op = rnd();
      const ch = alphabet[Math.floor(rnd() * alphabet.length)];
      const text = op < 0.33 ? base.slice(0, at) + base.slice(at + 1) : op < 0.66 ? base.slice(0, at) + ch + base.slice(at) : base.slice(0, at);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect(findJsonSyntaxError(text) === null, JSON.stringify(text)).toBe(valid);
    }
  });

  it('handles deep nesting without recursion', () => {
    expect(findJsonSyntaxError('['.repeat(200000) + ']'.repeat(200000))).toBeNull();
    expect(findJsonSyntaxError('['.repeat(200000))).toMatchObject({ truncated: true });
  });
});
