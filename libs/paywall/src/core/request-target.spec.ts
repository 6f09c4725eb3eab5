import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target';

describe('parseRequestTarget', () => {
  it('splits path and query', () => {
    expect(parseRequestTarget('/api/weather?city=Berlin&x=1')).toEqual({
      path: '/api/weather',
      query: 'city=Berlin&x=1',
    });
    expect(parseRequestTarget('/')).toEqual({ path: '/', query: '' });
  });

  it.each([
    '/public/../api/weather',
    '/public/./x',
    '/public/..',
    '/public//api',
    '/public/%2e%2e/api',
    '/public/a%2Fb',
    '/public\\..\\api',
    '/a%00',
    'api/weather',
    '',
  ])('refuses %s, which could match another route after normalisation', (url) => {
    expect(parseRequestTarget(url)).toBeUndefined();
  });

  it('keeps dots inside segments', () => {
    expect(parseRequestTarget('/files/report.v2..final.pdf')?.path).toBe('/files/report.v2..final.pdf');
  });
});
