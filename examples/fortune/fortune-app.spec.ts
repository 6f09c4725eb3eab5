import { describe, expect, it } from 'vitest';
import { renderFortunePage } from './fortune-page';
import { FORTUNES, FortuneJar } from './fortunes';

describe('FortuneJar', () => {
  it('numbers the cookies and goes round the list', () => {
    const jar = new FortuneJar();
    const cookies = Array.from({ length: FORTUNES.length + 1 }, () => jar.next());
    expect(cookies.map((c) => c.number)).toEqual(cookies.map((_, i) => i + 1));
    expect(cookies[0]!.fortune).toBe(FORTUNES[0]);
    expect(cookies.at(-1)!.fortune).toBe(FORTUNES[0]);
    expect(new Set(cookies.map((c) => c.fortune)).size).toBe(FORTUNES.length);
  });
});

describe('renderFortunePage', () => {
  it('shows the fortune, escaped, in a complete page', () => {
    const html = renderFortunePage({ number: 7, fortune: 'Less <is> "more" & so on' });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Fortune cookie #7');
    expect(html).toContain('Less &#60;is&#62; &#34;more&#34; &#38; so on');
    expect(html).not.toContain('<is>');
  });
});
