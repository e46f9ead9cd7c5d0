/**
 * The Node side of the server's {@link RawRequest}: `@hono/node-server` keeps Node's
 * `IncomingMessage` behind each request, and this passes it to the app in the runtime-neutral
 * form `botknobs/server` reads (the request target before URL parsing, and the raw headers).
 * @module
 */
import type { IncomingMessage } from "node:http";
import { RAW_REQUEST, type RawRequest } from "../../server/index.ts";

/** Node's request as a {@link RawRequest}. */
class NodeRawRequest implements RawRequest {
  readonly #incoming: IncomingMessage;

  constructor(incoming: IncomingMessage) {
    this.#incoming = incoming;
  }

  get target(): string {
    return this.#incoming.url ?? "";
  }

  header(name: string): string | undefined {
    const value = this.#incoming.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

/** A fetch handler as `@hono/node-server` calls it: its bindings hold Node's request. */
export type NodeFetch = (
  request: Request,
  env: { incoming: IncomingMessage },
) => Response | Promise<Response>;

/**
 * `app.fetch` for `@hono/node-server`'s `serve`, with the raw request added to the bindings
 * (`serveApp` does this; use it when calling `serve` yourself). The app then refuses dot
 * segments in the raw target and reads headers without building a `Headers` object.
 * @example
 * import { serve } from "@hono/node-server";
 * serve({ fetch: withRawRequest(createApp({ registry })), port: 8787 });
 */
export function withRawRequest(app: {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}): NodeFetch {
  const fetch = app.fetch as (request: Request, env: object) => Response | Promise<Response>;
  return (request, env) => {
    (env as Record<string, unknown>)[RAW_REQUEST] = new NodeRawRequest(env.incoming);
    return fetch(request, env);
  };
}
