import { MicroraidenError } from '@microraiden/errors';

/** What the echo service answers: the request as it reached the upstream. */
export interface EchoedRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters; a repeated name becomes a list. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** A JSON body parsed, any other body as text, null when there was none. */
  readonly body: unknown;
}

/** A request body the echo cannot read. */
export class EchoBodyError extends MicroraidenError<'BODY_INVALID_JSON' | 'BODY_TOO_LARGE'> {
  override readonly name = 'EchoBodyError';
}

/** Query parameters as an object, keeping every value of a repeated name. */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

/** The body to echo: JSON when the content type says so (BODY_INVALID_JSON otherwise), else the text. */
export function echoBody(contentType: string | undefined, text: string): unknown {
  if (text === '') return null;
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EchoBodyError('BODY_INVALID_JSON', 'the body is not valid JSON');
  }
}
