/** The part of a Fastify reply or an Express response the embedding needs; both platforms have these. */
export interface HttpReply {
  header(name: string, value: string | string[]): unknown;
  status?(code: number): unknown;
  code?(code: number): unknown;
  send(body: unknown): unknown;
}

/** Sets `headers` on a Fastify reply or an Express response. */
export function setReplyHeaders(
  reply: HttpReply,
  headers: Readonly<Record<string, string | string[]>>,
): void {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
}

/** Sends a complete answer on either platform. */
export function sendReply(
  reply: HttpReply,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
): void {
  if (typeof reply.code === 'function') reply.code(status);
  else reply.status?.(status);
  setReplyHeaders(reply, headers);
  reply.send(body);
}
