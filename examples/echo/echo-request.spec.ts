import { describe, expect, it } from 'vitest';
import { echoBody, queryObject } from './echo-request';

describe('queryObject', () => {
  it('keeps single values as strings and repeated ones as lists', () => {
    expect(queryObject(new URLSearchParams('a=1&b=x%20y&a=2&a=3&c='))).toEqual({
      a: ['1', '2', '3'],
      b: 'x y',
      c: '',
    });
    expect(queryObject(new URLSearchParams(''))).toEqual({});
  });
});

describe('echoBody', () => {
  it('parses JSON bodies, including +json types', () => {
    expect(echoBody('application/json', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(echoBody('application/problem+json; charset=utf-8', '"x"')).toBe('x');
  });

  it('returns other bodies as text and no body as null', () => {
    expect(echoBody('text/plain', '{"a":1}')).toBe('{"a":1}');
    expect(echoBody(undefined, 'hello')).toBe('hello');
    expect(echoBody('application/json', '')).toBeNull();
  });

  it('refuses a JSON content type with a body that is not JSON', () => {
    expect(() => echoBody('application/json', '{oops')).toThrow(
      expect.objectContaining({ code: 'BODY_INVALID_JSON' }),
    );
  });
});
