// Errors a user caused (bad flag, missing file, wrong input size, corrupt
// dataset) carry one sentence meant for that user; the CLI prints just that.
// Anything else is a bug and keeps its stack for --verbose.

export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
