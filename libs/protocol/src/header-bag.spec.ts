import { describe, expect, it } from 'vitest';
import { readHeader } from './header-bag';

describe('readHeader', () => {
  it('matches names case-insensitively and trims optional whitespace', () => {
    expect(readHeader({ 'rdn-price': ' \t7 ' }, 'RDN-Price')).toEqual({ ok: true, value: '7' });
    expect(readHeader({ 'RDN-PRICE': '7' }, 'rdn-price')).toEqual({ ok: true, value: '7' });
    expect(readHeader({ 'RDN-Price-X': '7' }, 'RDN-Price')).toEqual({ ok: true, value: undefined });
  });

  it('collapses equal repeats and refuses differing ones, across spellings and arrays', () => {
    expect(readHeader({ 'RDN-Price': ['7', ' 7'], 'rdn-price': '7' }, 'RDN-Price')).toEqual({
      ok: true,
      value: '7',
    });
    expect(readHeader({ 'RDN-Price': '7', 'rdn-price': '8' }, 'RDN-Price')).toEqual({
      ok: false,
      error: 'repeated with different values',
    });
    expect(readHeader({ 'RDN-Price': [] }, 'RDN-Price')).toEqual({ ok: true, value: undefined });
  });

  it('reads fetch Headers and survives a get that throws', () => {
    expect(readHeader(new Headers({ 'RDN-Price': '7' }), 'rdn-price')).toEqual({ ok: true, value: '7' });
    const hostile = {
      get(): string {
        throw new Error('boom');
      },
    };
    expect(readHeader(hostile, 'RDN-Price')).toEqual({ ok: false, error: 'unreadable' });
  });

  it('caps the length before doing anything else with the value', () => {
    expect(readHeader({ 'RDN-Price': '1'.repeat(1025) }, 'RDN-Price')).toEqual({
      ok: false,
      error: 'too long',
    });
    expect(readHeader({ 'RDN-Price': '1'.repeat(2000) }, 'RDN-Price', 4096)).toEqual({
      ok: true,
      value: '1'.repeat(2000),
    });
  });

  it('treats non-objects as no headers and non-text values as errors', () => {
    for (const source of [undefined, null, 42, 'RDN-Price: 7']) {
      expect(readHeader(source, 'RDN-Price')).toEqual({ ok: true, value: undefined });
    }
    expect(readHeader({ 'RDN-Price': 7 }, 'RDN-Price')).toEqual({ ok: false, error: 'not text' });
    expect(readHeader({ 'RDN-Price': ['7', 8] }, 'RDN-Price')).toEqual({ ok: false, error: 'not text' });
    expect(readHeader({ 'RDN-Price': null }, 'RDN-Price')).toEqual({ ok: true, value: undefined });
  });

  it('ignores inherited keys', () => {
    const inherited = Object.create({ 'RDN-Price': '7' }) as Record<string, string>;
    expect(readHeader(inherited, 'RDN-Price')).toEqual({ ok: true, value: undefined });
  });
});
