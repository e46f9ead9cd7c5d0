// The bindings wrangler.toml and vitest.config.ts give the storage adapter tests, merged into
// the `cloudflare:workers` module declared in cloudflare-workers.d.ts, and the one helper of
// `cloudflare:test` they use (structural subsets; workerd and the Vitest pool provide the real ones).

/** One migration as `readD1Migrations` reads it. */
interface TestD1Migration {
  name: string;
  queries: string[];
}

declare module "cloudflare:workers" {
  export const env: {
    REGISTRY_DB: import("@cloudflare/workers-types/latest").D1Database;
    REGISTRY_KV: import("@cloudflare/workers-types/latest").KVNamespace;
    KNOWLEDGE: import("@cloudflare/workers-types/latest").R2Bucket;
    TEST_MIGRATIONS: TestD1Migration[];
    /** The second Worker (test/workerd/second-isolate/), in its own isolate. */
    SECOND_ISOLATE: { fetch(input: string, init?: RequestInit): Promise<Response> };
  };
}

declare module "cloudflare:test" {
  export function applyD1Migrations(
    db: import("@cloudflare/workers-types/latest").D1Database,
    migrations: TestD1Migration[],
    migrationsTableName?: string,
  ): Promise<void>;
}
