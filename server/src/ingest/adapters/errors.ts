// The one error an adapter throws: bad input, with a reason the sender can act on.
import { createError } from '../../errors.ts';

const ParseFailed = createError('CLUTCH_PARSE_INVALID', '%s', 400);

export class ParseError extends ParseFailed {
  readonly source: string;
  /** Where: "line 12", "/info/frames/3/events/7"… */
  readonly at: string | undefined;
  constructor(source: string, reason: string, at?: string) {
    super(`${source}: ${reason}${at ? ` (at ${at})` : ''}`);
    this.source = source;
    this.at = at;
  }
}

export function isParseError(err: unknown): err is ParseError {
  return err instanceof ParseError;
}
