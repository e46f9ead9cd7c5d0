// The bindings wrangler.toml gives the storage adapter tests (a structural merge into the
// `cloudflare:workers` module declared in cloudflare-workers.d.ts; workerd provides the real one).
import type { D1Database, KVNamespace, R2Bucket } from "@cloudflare/workers-types/latest";

declare module "cloudflare:workers" {
  export const env: { REGISTRY_DB: D1Database; REGISTRY_KV: KVNamespace; KNOWLEDGE: R2Bucket };
}
