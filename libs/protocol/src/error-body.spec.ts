import { describe, expect, it } from 'vitest';
import { errorBody, negotiateErrorFormat, renderError, renderErrorHtml } from './error-body';
import { ProtocolError } from './protocol-error';

describe('error bodies', () => {
  it('renders JSON as { error: { code, message, details } }', () => {
    const err = new ProtocolError('PAYMENT_MALFORMED', { header: 'RDN-Balance', reason: 'empty' });
    expect(errorBody(err)).toEqual({
      error: {
        code: 'PAYMENT_MALFORMED',
        message: err.message,
        details: { header: 'RDN-Balance', reason: 'empty' },
      },
    });
    const rendered = renderError(err, 'application/json');
    expect(rendered.status).toBe(400);
    expect(rendered.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(rendered.body)).toEqual(errorBody(err));
  });

  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['text/html', 'html'],
    // Chrome's navigation Accept
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8', 'html'],
    // fetch() default
    ['*/*', 'json'],
    ['text/html;q=0.5, application/json', 'json'],
    ['text/html, application/json;q=0.5', 'html'],
    ['text/html, application/json', 'json'],
    ['text/*', 'html'],
    ['application/*, text/html;q=0.1', 'json'],
    ['text/html;q=0', 'json'],
    ['text/html;q=abc', 'json'],
    ['TEXT/HTML', 'html'],
    [['text/html', 'application/json;q=0.1'], 'html'],
    [`text/html,${'x/y,'.repeat(1000)}`, 'json'],
    ['garbage;;;==,', 'json'],
  ])('negotiates %j as %s', (accept, format) => {
    expect(negotiateErrorFormat(accept as string)).toBe(format);
  });

  it('renders a minimal HTML page and escapes everything it prints', () => {
    const err = new ProtocolError('PAYMENT_MALFORMED', {
      header: '<script>alert(1)</script>',
      reason: '"&\'',
    });
    const html = renderErrorHtml(err);
    expect(html).toContain('<title>400 PAYMENT_MALFORMED</title>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('&#34;&#38;&#39;');
    expect(renderError(err, 'text/html').contentType).toBe('text/html; charset=utf-8');
  });
});
