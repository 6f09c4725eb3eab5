// The wiki's articles: HTML fragments in a folder, one file per article (`<Slug>.html`, starting with the
// article's <h1>), loaded once at start-up so a bad fixture fails the start, not a paid request.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MicroraidenError } from '@microraiden/errors';

/** One wiki article. */
export interface Article {
  /** The URL name: `/wiki/<slug>`. */
  readonly slug: string;
  readonly title: string;
  /** The article's HTML fragment (trusted: it comes from the checked-in fixtures). */
  readonly html: string;
  /** Slugs this article links to (`href="/wiki/<slug>"`), in order, without repeats. */
  readonly links: readonly string[];
}

/** A fixture that cannot be served: a start-up error. */
export class ArticleLibraryError extends MicroraidenError<'ARTICLE_INVALID' | 'ARTICLES_MISSING'> {
  override readonly name = 'ArticleLibraryError';
}

const SLUG = /^[A-Za-z0-9_()-]{1,100}$/;
const TITLE = /<h1>([^<]{1,200})<\/h1>/;
const WIKI_LINK = /href="\/wiki\/([^"#?]+)[^"]*"/g;

/** Reads an article from its slug and HTML; throws ARTICLE_INVALID without a bad slug or an <h1> title. */
export function parseArticle(slug: string, html: string): Article {
  if (!SLUG.test(slug))
    throw new ArticleLibraryError('ARTICLE_INVALID', `bad article name ${slug}`, { slug });
  const title = TITLE.exec(html)?.[1]?.trim();
  if (!title) throw new ArticleLibraryError('ARTICLE_INVALID', `article ${slug} has no <h1> title`, { slug });
  const links = [...new Set([...html.matchAll(WIKI_LINK)].map((match) => match[1]!))];
  return { slug, title, html, links };
}

/** The articles of a wiki, by slug. */
export class ArticleLibrary {
  private readonly bySlug: ReadonlyMap<string, Article>;

  constructor(articles: readonly Article[]) {
    this.bySlug = new Map(articles.map((article) => [article.slug, article]));
  }

  /** The article named `slug`, if any. */
  get(slug: string): Article | undefined {
    return this.bySlug.get(slug);
  }

  /** Every article, by title. */
  list(): Article[] {
    return [...this.bySlug.values()].sort((a, b) => a.title.localeCompare(b.title));
  }

  /** Links to articles that do not exist, as `from -> to`. */
  brokenLinks(): string[] {
    return this.list().flatMap((article) =>
      article.links.filter((slug) => !this.bySlug.has(slug)).map((slug) => `${article.slug} -> ${slug}`),
    );
  }
}

/** Loads every `*.html` article in `dir`; throws ARTICLES_MISSING when there is none. */
export function loadArticleLibrary(dir: string): ArticleLibrary {
  const files = readdirSync(dir).filter((file) => file.endsWith('.html'));
  if (files.length === 0)
    throw new ArticleLibraryError('ARTICLES_MISSING', `no *.html articles in ${dir}`, { dir });
  return new ArticleLibrary(
    files.map((file) =>
      parseArticle(file.slice(0, -'.html'.length), readFileSync(path.join(dir, file), 'utf8')),
    ),
  );
}

/** The articles checked in next to this file (also copied next to the compiled file by the image build). */
export const FIXTURE_ARTICLES_DIR = path.join(__dirname, 'fixtures');
