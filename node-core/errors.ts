/** Named errors with stable codes (style.md 10); the HTTP layer and the CLI map them to answers. */
export class TandemError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A flag or a request body that is wrong; the message names what is wrong. */
export class UsageError extends TandemError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** The node cannot start: port taken, database unreadable, and so on. */
export class StartupError extends TandemError {}
