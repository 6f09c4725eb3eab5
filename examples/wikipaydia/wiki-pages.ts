import { escapeHtml } from '../http-response';
import type { Article } from './article-library';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Wikipaydia</title>
<style>
  body { font-family: sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #202122; }
  header { border-bottom: 1px solid #a2a9b1; margin-bottom: 1rem; }
  header a { color: #202122; text-decoration: none; font-family: Georgia, serif; font-size: 1.3rem; }
  a { color: #0645ad; }
  .price { font-size: .85rem; color: #54595d; }
</style>
</head>
<body>
<header><a href="/wiki/">Wikipaydia</a> <span class="price">the encyclopedia you pay per article</span></header>
${body}
</body>
</html>
`;
}

/** The free index: every article, linked. */
export function renderIndexPage(articles: readonly Article[]): string {
  const items = articles
    .map((article) => `  <li><a href="/wiki/${article.slug}">${escapeHtml(article.title)}</a></li>`)
    .join('\n');
  return page(
    'Index',
    `<h1>Articles</h1>
<p class="price">The index is free; each article costs a micropayment, paid through the gateway.</p>
<ul>
${items}
</ul>`,
  );
}

/** One (paid) article. */
export function renderArticlePage(article: Article): string {
  return page(article.title, `<article>\n${article.html}</article>`);
}

/** The answer for an article that does not exist. */
export function renderMissingPage(slug: string): string {
  return page(
    'Not found',
    `<h1>No such article</h1>\n<p>Wikipaydia has no article named <code>${escapeHtml(slug)}</code>. <a href="/wiki/">All articles</a></p>`,
  );
}
