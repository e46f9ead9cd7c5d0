// The part of the `cloudflare:workers` module these tests use (a structural subset: the Fetcher of
// @cloudflare/workers-types has its own Request/Response, which clash with the DOM lib of the rest of
// the repository; workerd provides the real one).
declare module "cloudflare:workers" {
  export const exports: {
    default: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
  };
}
