// The command line's exit codes and the error that means "the command was called wrongly".

/** 0: done; 1: bad input (a model, data or report the studio would refuse too); 2: bad usage (a flag). */
export const EXIT = { ok: 0, badInput: 1, usage: 2 } as const;

/** A flag or argument that does not make sense; exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
