import http from 'node:http';
import https from 'node:https';
import type { StreamTransport } from './stream-transport';

/**
 * The duplex transport of Node: an HTTP/1.1 request whose chunked body stays open for top-up lines while the
 * response streams (http.request writes the body and reads the response independently).
 */
export function nodeStreamTransport(): StreamTransport {
  return {
    duplex: true,
    open(url, init) {
      return new Promise((resolve, reject) => {
        const request = (url.protocol === 'https:' ? https : http).request(url, {
          method: init.method,
          // Chunked said outright: Node chunks a body by default only for methods that usually have one, so a GET's
          // top-up lines would otherwise go out unframed and never reach the gateway as a body.
          headers: init.keepBodyOpen
            ? { ...init.headers, 'transfer-encoding': 'chunked' }
            : { ...init.headers, 'content-length': '0' },
          ...(init.signal === undefined ? {} : { signal: init.signal }),
        });
        request.once('error', reject);
        request.once('response', (response) => {
          request.off('error', reject);
          // After the response started, a broken connection ends the body's iteration with an error.
          request.on('error', () => undefined);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: response,
            send: (line) => {
              if (!request.writableEnded) request.write(line);
            },
            endRequest: () => {
              if (!request.writableEnded) request.end();
            },
            abort: () => {
              request.destroy();
              response.destroy();
            },
            // Node fills `trailers` when the body has been read to its end (empty without any).
            trailers: () => (response.complete ? response.trailers : undefined),
          });
        });
        if (init.keepBodyOpen) request.flushHeaders();
        else request.end();
      });
    },
  };
}
