// The demo upstream: fortune cookies, Wikipaydia, the echo service and the token-streaming completion behind one HTTP
// server, plus a free index at `/`. None of it knows about payments; a gateway in front charges per route (routes.json).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DemoApp } from './demo-app';
import { DEMO_LINKS } from './demo-links';
import { findDemo } from './demo-router';
import { createCompletionDemoApp } from './completion/completion-demo-app';
import { createEchoApp } from './echo/echo-app';
import { createFortuneApp } from './fortune/fortune-app';
import { escapeHtml, sendHtml, sendJson } from './http-response';
import { FIXTURE_ARTICLES_DIR, loadArticleLibrary } from './wikipaydia/article-library';
import { createWikipaydiaApp } from './wikipaydia/wikipaydia-app';

/** Where the demo upstream finds its content. */
export interface DemoServerOptions {
  /** Wikipaydia's articles (default: examples/wikipaydia/fixtures). */
  readonly articlesDir?: string;
}

/** The four demos, Wikipaydia's articles loaded (a bad fixture throws here, at start-up). */
export function createDemoApps(options: DemoServerOptions = {}): DemoApp[] {
  const library = loadArticleLibrary(options.articlesDir ?? FIXTURE_ARTICLES_DIR);
  return [createFortuneApp(), createWikipaydiaApp(library), createEchoApp(), createCompletionDemoApp()];
}

/** The demo upstream's HTTP server, not yet listening. */
export function createDemoServer(options: DemoServerOptions = {}): Server {
  const demos = createDemoApps(options);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const demo = findDemo(demos, url.pathname);
    const answered = demo ? demo.handle(req, res, url) : index(req, res, url);
    Promise.resolve(answered).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function index(req: IncomingMessage, res: ServerResponse, url: URL): void {
  req.resume();
  if (url.pathname !== '/') {
    sendJson(res, 404, { error: 'not found', path: url.pathname });
    return;
  }
  if (!(req.headers.accept ?? '').includes('text/html')) {
    sendJson(res, 200, { hello: 'microraiden demo upstream', demos: DEMO_LINKS });
    return;
  }
  const items = DEMO_LINKS.map(
    (link) =>
      `  <li><a href="${escapeHtml(link.path)}">${escapeHtml(link.path)}</a>: ${escapeHtml(link.what)}</li>`,
  ).join('\n');
  sendHtml(
    res,
    200,
    `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>microraiden demos</title>
<style>body { font-family: sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.6; }</style></head>
<body>
<h1>microraiden demos</h1>
<p>Paid pages answer <code>402 Payment Required</code> until a balance proof pays for them.</p>
<ul>
${items}
</ul>
</body>
</html>
`,
  );
}
