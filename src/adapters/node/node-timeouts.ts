/**
 * The timeouts a Node server of the API keeps by default: `serveApp`'s, and those of the
 * command line's own server when the optional peers are not installed.
 * @module
 */

/**
 * The defaults of `ServeOptions`' timeouts (`serveApp`), in ms.
 * @example
 * await serveApp(app, { requestTimeoutMs: 10 * SERVE_TIMEOUTS.requestTimeoutMs });
 */
export const SERVE_TIMEOUTS: {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleTimeoutMs: number;
} = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
};
