// The parts of `cloudflare:workers` and `cloudflare:test` the Durable Object tests use (a
// structural subset, so the tests type-check with the DOM lib of the rest of the repository;
// workerd and @cloudflare/vitest-plugin provide the real modules).
declare module "cloudflare:workers" {
  export const env: import("../../worker/bindings.ts").Env;
}
declare module "cloudflare:test" {
  type Stub = import("@cloudflare/workers-types/index.ts").DurableObjectStub;
  type State = import("@cloudflare/workers-types/index.ts").DurableObjectState;
  /** Ends every running Durable Object (their sockets close); storage stays. */
  export function abortAllDurableObjects(): Promise<void>;
  /** Evicts one object from memory; hibernatable sockets stay open by default. */
  export function evictDurableObject(
    stub: Stub,
    options?: { webSockets?: "hibernate" | "close" },
  ): Promise<void>;
  /** Runs `callback` inside the object. */
  export function runInDurableObject<R>(
    stub: Stub,
    callback: (instance: unknown, state: State) => R | Promise<R>,
  ): Promise<R>;
}
