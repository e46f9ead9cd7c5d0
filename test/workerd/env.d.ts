// The one declaration of the workerd tests' environment: every binding of wrangler.toml (the
// Worker's own `Env`, worker/bindings.ts) plus what vitest.config.ts adds for the tests, merged
// into `cloudflare:workers` (cloudflare-workers.d.ts declares its `exports`), and the helpers of
// `cloudflare:test` the tests use. Structural subsets, so the tests type-check with the DOM lib
// of the rest of the repository; workerd and @cloudflare/vitest-plugin provide the real modules.

/** One migration as `readD1Migrations` reads it. */
interface TestD1Migration {
  name: string;
  queries: string[];
}

declare module "cloudflare:workers" {
  export const env: import("../../worker/bindings.ts").Env & {
    /** The KV registry's namespace (KVRecordStore tests; the Worker itself uses D1). */
    REGISTRY_KV: import("@cloudflare/workers-types/latest").KVNamespace;
    /** A D1 database no migration is applied to before the tests (vitest.config.ts). */
    FIXTURE_DB: import("@cloudflare/workers-types/latest").D1Database;
    /** migrations/, read by vitest.config.ts. */
    TEST_MIGRATIONS: TestD1Migration[];
    /** The second Worker (test/workerd/second-isolate/), in its own isolate. */
    SECOND_ISOLATE: { fetch(input: string, init?: RequestInit): Promise<Response> };
  };
}

declare module "cloudflare:test" {
  type Stub = import("@cloudflare/workers-types/index.ts").DurableObjectStub;
  type State = import("@cloudflare/workers-types/index.ts").DurableObjectState;
  /** Applies D1 migrations not applied yet (tracked in `migrationsTableName`). */
  export function applyD1Migrations(
    db: import("@cloudflare/workers-types/latest").D1Database,
    migrations: TestD1Migration[],
    migrationsTableName?: string,
  ): Promise<void>;
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
  /** An `ExecutionContext` for calling a handler by hand. */
  export function createExecutionContext(): import("@cloudflare/workers-types/index.ts").ExecutionContext;
  /** Waits for what the context's `waitUntil` was given. */
  export function waitOnExecutionContext(
    ctx: import("@cloudflare/workers-types/index.ts").ExecutionContext,
  ): Promise<void>;
  /** Runs the object's alarm now if one is set; true when it ran. */
  export function runDurableObjectAlarm(stub: Stub): Promise<boolean>;
}
