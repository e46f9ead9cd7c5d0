// The part of the `cloudflare:workers` module these tests use (a structural subset, so the
// tests type-check with the DOM lib of the rest of the repository; workerd provides the real one).
declare module "cloudflare:workers" {
  export const exports: {
    default: { fetch(input: string | Request, init?: RequestInit): Promise<Response> };
  };
}
