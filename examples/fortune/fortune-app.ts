// Fortune cookies: an HTML page (/fortune) and a JSON API (/api/fortune), both priced in the routes file.
import type { DemoApp } from '../demo-app';
import { sendHtml, sendJson } from '../http-response';
import { renderFortunePage } from './fortune-page';
import { FortuneJar } from './fortunes';

/** The fortune cookie demo: `GET /fortune` (HTML) and `GET /api/fortune` (JSON). */
export function createFortuneApp(jar = new FortuneJar()): DemoApp {
  return {
    name: 'fortune',
    mounts: ['/fortune', '/api/fortune'],
    handle(req, res, url) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendJson(res, 405, { error: 'only GET' });
        return;
      }
      const cookie = jar.next();
      if (url.pathname === '/fortune') sendHtml(res, 200, renderFortunePage(cookie));
      else sendJson(res, 200, cookie);
    },
  };
}
