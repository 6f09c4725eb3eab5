import { describe, expect, it } from 'vitest';
import type { DemoApp } from './demo-app';
import { findDemo } from './demo-router';

const aDemo = (name: string, mounts: string[]): DemoApp => ({ name, mounts, handle: () => undefined });

describe('findDemo', () => {
  const demos = [
    aDemo('wiki', ['/wiki', '/wiki/']),
    aDemo('wiki-special', ['/wiki/special/']),
    aDemo('echo', ['/echo', '/echo/', '/api/echo']),
  ];
  const route = (path: string) => findDemo(demos, path)?.name;

  it('matches exact mounts', () => {
    expect(route('/wiki')).toBe('wiki');
    expect(route('/api/echo')).toBe('echo');
  });

  it('matches prefix mounts, the longest first', () => {
    expect(route('/wiki/Ethereum')).toBe('wiki');
    expect(route('/wiki/special/page')).toBe('wiki-special');
    expect(route('/echo/a/b')).toBe('echo');
  });

  it('does not treat an exact mount as a prefix', () => {
    expect(route('/echoes')).toBeUndefined();
    expect(route('/api/echo/more')).toBeUndefined();
    expect(route('/')).toBeUndefined();
  });
});
