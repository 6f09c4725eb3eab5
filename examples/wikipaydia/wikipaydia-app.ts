// Wikipaydia: a wiki whose index is free and whose articles are paid one by one (prices in the routes file).
import type { DemoApp } from '../demo-app';
import { sendHtml, sendJson } from '../http-response';
import type { ArticleLibrary } from './article-library';
import { renderArticlePage, renderIndexPage, renderMissingPage } from './wiki-pages';

/** The wiki demo: `GET /wiki/` (index) and `GET /wiki/<slug>` (an article). */
export function createWikipaydiaApp(library: ArticleLibrary): DemoApp {
  return {
    name: 'wikipaydia',
    mounts: ['/wiki', '/wiki/'],
    handle(req, res, url) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: 'only GET' });
        return;
      }
      if (url.pathname === '/wiki') {
        res.writeHead(301, { location: '/wiki/', 'content-length': 0 });
        res.end();
        return;
      }
      const slug = decodeSlug(url.pathname.slice('/wiki/'.length));
      if (slug === '') {
        sendHtml(res, 200, renderIndexPage(library.list()));
        return;
      }
      const article = slug === undefined ? undefined : library.get(slug);
      if (article) sendHtml(res, 200, renderArticlePage(article));
      else sendHtml(res, 404, renderMissingPage(slug ?? url.pathname));
    },
  };
}

function decodeSlug(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
