/** Safe, loggable facts about an error: never secrets, never raw signatures of keys. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/**
 * The one base error of the project. `code` is stable and machine-readable (it is part of the wire
 * protocol for errors that reach clients); `message` is for humans and may change.
 */
export class MicroraidenError<Code extends string = string> extends Error {
  override readonly name: string = 'MicroraidenError';

  constructor(
    readonly code: Code,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The JSON shape every service answers errors with. */
  toJSON(): { code: Code; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a MicroraidenError, optionally with one of the given codes. */
export function isMicroraidenError<C extends string>(
  err: unknown,
  ...codes: C[]
): err is MicroraidenError<C> {
  return err instanceof MicroraidenError && (codes.length === 0 || codes.includes(err.code as C));
}
