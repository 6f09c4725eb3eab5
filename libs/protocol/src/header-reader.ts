import { readHeader } from './header-bag';
import { ProtocolError, type ProtocolErrorCode } from './protocol-error';
import { fail, ok, type Result } from './result';

/** Parses one optional header with `parse`; failures become `code` with the header name and a reason. */
export function readOptionalField<T>(
  source: unknown,
  header: string,
  parse: (text: string) => Result<T, string>,
  code: ProtocolErrorCode,
): Result<T | undefined> {
  const raw = readHeader(source, header);
  if (!raw.ok) return fail(new ProtocolError(code, { header, reason: raw.error }));
  if (raw.value === undefined) return ok(undefined);
  if (raw.value === '') return fail(new ProtocolError(code, { header, reason: 'empty' }));
  const parsed = parse(raw.value);
  return parsed.ok ? parsed : fail(new ProtocolError(code, { header, reason: parsed.error }));
}

/** Like readOptionalField, but absence is an error too. */
export function readRequiredField<T>(
  source: unknown,
  header: string,
  parse: (text: string) => Result<T, string>,
  code: ProtocolErrorCode,
): Result<T> {
  const read = readOptionalField(source, header, parse, code);
  if (read.ok && read.value === undefined)
    return fail(new ProtocolError(code, { header, reason: 'missing' }));
  return read as Result<T>;
}
