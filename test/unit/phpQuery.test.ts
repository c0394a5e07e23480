// PHP parse_str rules, checked against the real thing: every expected value below is what
// PHP 8.2's parse_str() + json_encode() printed for the input (generated once with php-cli;
// PHP is not needed to run this test). qs was rejected for this job because it compacts sparse
// lists and builds one list for repeated `a[][]=` pairs (see src/php/query.ts).
import { describe, expect, it } from 'vitest';
import { parsePhpQuery, parsePhpPairs, phpUrlDecode } from '../../src/php/query.js';
import { phpArrayMerge, phpArrayReplace } from '../../src/rest/params.js';
import { toPhpShape } from '../../src/php/json.js';
import { RestError } from '../../src/rest/errors.js';

const PHP_PARSE_STR: [string, string][] = [
  ["a.b=1", '{"a_b":"1"}'],
  ["a b=1", '{"a_b":"1"}'],
  [" a=1", '{"a":"1"}'],
  ["a[b.c]=1", '{"a":{"b.c":"1"}}'],
  ["a[b=1", '{"a_b":"1"}'],
  ["a[b.c d[e=1", '{"a_b_c_d_e":"1"}'],
  ["a_b.c[=1", '{"a_b_c_":"1"}'],
  ["a[b][c=1", '{"a":{"b":"1"}}'],
  ["a[b][=1", '{"a":{"b":"1"}}'],
  ["a[ ]=1&a[ ]=2", '{"a":["1","2"]}'],
  ["a[\t]=1&a[\t]=2", '{"a":["1","2"]}'],
  ["a[ x]=1", '{"a":{" x":"1"}}'],
  ["a[b]xyz[c]=1", '{"a":{"b":"1"}}'],
  ["a[]]=1", '{"a":["1"]}'],
  ["a[[b]]=1", '{"a":{"[b":"1"}}'],
  ["a[]=1&a[]=2&a[5]=3&a[]=4", '{"a":{"0":"1","1":"2","5":"3","6":"4"}}'],
  ["a[][]=1&a[][]=2", '{"a":[["1"],["2"]]}'],
  ["a[1]=y", '{"a":{"1":"y"}}'],
  ["a[2]=x&a[1]=y", '{"a":{"2":"x","1":"y"}}'],
  ["a[-1]=x&a[]=y", '{"a":{"-1":"x","0":"y"}}'],
  ["a[05]=1&a[5]=2", '{"a":{"05":"1","5":"2"}}'],
  ["a=1&a=2", '{"a":"2"}'],
  ["a[x]=1&a=2", '{"a":"2"}'],
  ["a=1&a[x]=2", '{"a":{"x":"2"}}'],
  ["a[b]=1&a[b][c]=2", '{"a":{"b":{"c":"2"}}}'],
  ["[a]=1", '[]'],
  ["=1", '[]'],
  ["a", '{"a":""}'],
  ["a&&b=2", '{"a":"","b":"2"}'],
  ["a%00b=1", '{"a":"1"}'],
  ["a=%00x", '{"a":"\\u0000x"}'],
  ["a=%zz%4", '{"a":"%zz%4"}'],
  ["a=100%", '{"a":"100%"}'],
  ["a+b=c+d", '{"a_b":"c d"}'],
  ["a%5Bb%5D=1", '{"a":{"b":"1"}}'],
  ["a[b%5D=1", '{"a":{"b":"1"}}'],
  ["a.b[c.d]=1", '{"a_b":{"c.d":"1"}}'],
  ["0=a&1=b", '["a","b"]'],
  ["5=a", '{"5":"a"}'],
  ["fields[TITLE]=%D0%A2%D0%B5%D1%81%D1%82+%26+co&fields[PHONE][0][VALUE]=%2B1+555", '{"fields":{"TITLE":"Тест & co","PHONE":[{"VALUE":"+1 555"}]}}'],
  ["filter[%3EID]=10&order[ID]=ASC&start=-1", '{"filter":{">ID":"10"},"order":{"ID":"ASC"},"start":"-1"}'],
  ["cmd[b]=server.time&cmd[a]=profile", '{"cmd":{"b":"server.time","a":"profile"}}'],
  ["select[]=ID&select[]=NAME&select[]=", '{"select":["ID","NAME",""]}'],
  ["x[]=", '{"x":[""]}'],
  // `[]` after explicit keys takes one past the largest integer key (PHP's nNextFreeElement),
  // also when no `[]` came before, so nothing already set is overwritten.
  ["a[5]=x&a[]=y", '{"a":{"5":"x","6":"y"}}'],
  ["select[0]=ID&select[]=NAME", '{"select":["ID","NAME"]}'],
  ["a[3]=x&a[1]=y&a[]=z", '{"a":{"3":"x","1":"y","4":"z"}}'],
  ["a[]=1&a[9]=2&a[3]=3&a[]=4", '{"a":{"0":"1","9":"2","3":"3","10":"4"}}'],
  ["a[x]=1&a[]=2", '{"a":{"x":"1","0":"2"}}'],
  ["a[05]=x&a[]=y", '{"a":{"05":"x","0":"y"}}'],
  ["a[5]=x&a[-1]=y&a[]=z", '{"a":{"5":"x","-1":"y","6":"z"}}'],
  ["a[b][2]=x&a[b][]=y&a[]=z", '{"a":{"b":{"2":"x","3":"y"},"0":"z"}}'],
  ["ENTITIES[0][TYPE]=CONTACT&ENTITIES[0][ID]=15&ENTITIES[1][TYPE]=DEAL", '{"ENTITIES":[{"TYPE":"CONTACT","ID":"15"},{"TYPE":"DEAL"}]}'],
];

function errorCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RestError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('parsePhpQuery matches PHP 8 parse_str', () => {
  it.each(PHP_PARSE_STR)('%j', (input, phpJson) => {
    expect(toPhpShape(parsePhpQuery(input))).toEqual(JSON.parse(phpJson));
  });

  it('keeps sparse lists sparse and gives each `a[][]=` pair its own list (where qs differs)', () => {
    expect(toPhpShape(parsePhpQuery('cmd[5]=server.time'))).toEqual({ cmd: { '5': 'server.time' } });
    expect(toPhpShape(parsePhpQuery('a[][]=1&a[][]=2'))).toEqual({ a: [['1'], ['2']] });
  });

  it('returns values as strings and maps without a prototype', () => {
    const parsed = parsePhpQuery('toString=1&constructor[x]=2');
    expect(Object.getPrototypeOf(parsed)).toBe(null);
    expect(parsed.toString).toBe('1');
    expect(Object.getPrototypeOf(parsed.constructor)).toBe(null);
  });

  it('refuses nesting deeper than max_input_nesting_level and more pairs than max_input_vars', () => {
    const limits = { maxDepth: 3, maxVars: 4 };
    expect(toPhpShape(parsePhpQuery('a[1][2][3]=x', limits))).toEqual({ a: { '1': { '2': { '3': 'x' } } } });
    expect(errorCode(() => parsePhpQuery('a[1][2][3][4]=x', limits))).toBe('NESTING_TOO_DEEP');
    expect(errorCode(() => parsePhpQuery('a=1&b=2&c=3&d=4', limits))).toBe('no error');
    expect(errorCode(() => parsePhpQuery('a=1&b=2&c=3&d=4&e=5', limits))).toBe('TOO_MANY_PARAMETERS');
    expect(errorCode(() => parsePhpPairs([['a', '1'], ['b', '2'], ['c', '3'], ['d', '4'], ['e', '5']], limits))).toBe(
      'TOO_MANY_PARAMETERS',
    );
  });

  it('answers WRONG_ENCODING for bytes that are not UTF-8', () => {
    expect(errorCode(() => parsePhpQuery('a=%FF'))).toBe('WRONG_ENCODING');
    expect(errorCode(() => parsePhpQuery('%C3=1'))).toBe('WRONG_ENCODING');
    expect(errorCode(() => parsePhpQuery('a=%C3%A9'))).toBe('no error');
  });
});

describe('phpUrlDecode', () => {
  it('decodes like PHP urldecode', () => {
    expect(phpUrlDecode('a+b%20c')).toBe('a b c');
    expect(phpUrlDecode('%zz%4')).toBe('%zz%4');
    expect(phpUrlDecode('%D0%A2%zz')).toBe('Т%zz');
    expect(phpUrlDecode('Тест+%26')).toBe('Тест &');
  });

  // ASCII text takes the engine's decoder when that succeeds (issue 17); every byte sequence
  // must still come out as PHP's urldecode + strict UTF-8 gives it, written out here byte by byte.
  function urldecodeBytes(text: string): string | 'WRONG_ENCODING' {
    const bytes: number[] = [];
    const hex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '+') bytes.push(0x20);
      else if (text[i] === '%' && hex(text[i + 1]) && hex(text[i + 2])) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(text[i], 'utf8'));
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      return 'WRONG_ENCODING';
    }
  }

  it('decodes every mix of escapes, pluses and malformed percents as PHP does', () => {
    const pieces = ['%2B', '+', '%', '%4', '%zz', '%41', '%C3%A9', '%C3', '%A9', '%E2%82%AC', '%F0%9F%98%80', '%ED%A0%80', '%C0%AF', '%00', '%25', 'a', '%2b', '%e2%82'];
    let seed = 17;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 6);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const expected = urldecodeBytes(text);
      let actual: string;
      try {
        actual = phpUrlDecode(text);
      } catch (error) {
        actual = error instanceof RestError ? error.code : String(error);
      }
      expect([text, actual]).toEqual([text, expected]);
    }
  });
});

describe('array_merge / array_replace (rest-protocol.md §1.3)', () => {
  // PHP: array_merge(parse_str("5=a&x=1&y=q"), parse_str("x=2&3=b&z[1]=c"))
  //   → {"0":"a","x":"2","y":"q","1":"b","z":{"1":"c"}}
  // PHP: array_replace(same) → {"5":"a","x":"2","y":"q","3":"b","z":{"1":"c"}}
  const query = parsePhpQuery('5=a&x=1&y=q');
  const body = parsePhpQuery('x=2&3=b&z[1]=c');

  it('array_merge renumbers integer keys and lets later string keys win', () => {
    expect(toPhpShape(phpArrayMerge(query, body))).toEqual({ '0': 'a', x: '2', y: 'q', '1': 'b', z: { '1': 'c' } });
  });

  it('array_replace keeps integer keys', () => {
    expect(toPhpShape(phpArrayReplace(query, body))).toEqual({ '5': 'a', x: '2', y: 'q', '3': 'b', z: { '1': 'c' } });
  });
});
