import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ArticleLibrary,
  FIXTURE_ARTICLES_DIR,
  loadArticleLibrary,
  parseArticle,
  type Article,
} from './article-library';

const anArticle = (slug: string, links: string[] = []): Article =>
  parseArticle(
    slug,
    `<h1>${slug.replace(/_/g, ' ')}</h1>\n${links.map((l) => `<a href="/wiki/${l}">${l}</a>`).join(' ')}`,
  );

describe('parseArticle', () => {
  it('reads the title from the <h1> and the wiki links in order, once each', () => {
    const article = parseArticle(
      'Payment_channel',
      '<h1> Payment channel </h1><p><a href="/wiki/Ethereum">E</a> <a href="https://x.org/wiki/No">x</a> <a href="/wiki/Micropayment#top">m</a> <a href="/wiki/Ethereum">again</a></p>',
    );
    expect(article.title).toBe('Payment channel');
    expect(article.links).toEqual(['Ethereum', 'Micropayment']);
  });

  it('refuses a file without a title or with a bad name', () => {
    expect(() => parseArticle('Untitled', '<p>no heading</p>')).toThrow(
      expect.objectContaining({ code: 'ARTICLE_INVALID' }),
    );
    expect(() => parseArticle('../secret', '<h1>x</h1>')).toThrow(
      expect.objectContaining({ code: 'ARTICLE_INVALID' }),
    );
  });
});

describe('ArticleLibrary', () => {
  it('finds articles by slug, lists them by title and reports broken links', () => {
    const library = new ArticleLibrary([anArticle('Zebra', ['Apple']), anArticle('Apple', ['Missing'])]);
    expect(library.get('Zebra')?.title).toBe('Zebra');
    expect(library.get('zebra')).toBeUndefined();
    expect(library.list().map((a) => a.slug)).toEqual(['Apple', 'Zebra']);
    expect(library.brokenLinks()).toEqual(['Apple -> Missing']);
  });
});

describe('loadArticleLibrary', () => {
  it('loads the checked-in fixtures: several articles, every link resolves, each reachable from another', () => {
    const library = loadArticleLibrary(FIXTURE_ARTICLES_DIR);
    const articles = library.list();
    expect(articles.length).toBeGreaterThanOrEqual(3);
    expect(library.brokenLinks()).toEqual([]);
    const linkedTo = new Set(articles.flatMap((a) => a.links));
    for (const article of articles) expect(linkedTo, article.slug).toContain(article.slug);
  });

  it('loads only *.html files and fails on an empty folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wikipaydia-'));
    expect(() => loadArticleLibrary(dir)).toThrow(expect.objectContaining({ code: 'ARTICLES_MISSING' }));
    writeFileSync(path.join(dir, 'Only.html'), '<h1>Only</h1>');
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(
      loadArticleLibrary(dir)
        .list()
        .map((a) => a.slug),
    ).toEqual(['Only']);
  });
});
