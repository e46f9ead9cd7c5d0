/**
 * The command line's exit codes and its one error: a {@link CliError} carries the code to exit
 * with and a message that names what to fix.
 * @module
 */

/**
 * What `botknobs` exits with: 0 done; 1 failed (the server answered with an error, it could not
 * be reached, files failed to ingest); 2 the command line (or a value it names) is wrong — fix it
 * and run again; 3 what it names (a bot, a version, a knowledge base) does not exist.
 * @example
 * throw new CliError("unknown command 'sevre'", EXIT.USAGE);
 */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
} as const;
/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error the command line reports as one line (its message) and exits with `exitCode`.
 * @example
 * throw new CliError(`no folder at ${dir}: give the folder to ingest`, EXIT.USAGE);
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(
    message: string,
    exitCode: ExitCode = EXIT.FAILED,
    options: { cause?: unknown } = {},
  ) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/**
 * A usage error (exit 2) that ends with the command's usage line.
 * @example
 * throw usage("give the knowledge base: --kb NAME", "botknobs ingest DIR --kb NAME");
 */
export function usage(message: string, usageLine: string): CliError {
  return new CliError(`${message}\nusage: ${usageLine}  (--help for more)`, EXIT.USAGE);
}
