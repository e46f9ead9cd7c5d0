// The workerd project's setup file: the D1 registry schema (migrations/) applied to the Worker's
// REGISTRY_DB before each test file, as `wrangler d1 migrations apply` does for `npm run dev`
// and a deployment (already-applied migrations are skipped).
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.REGISTRY_DB, env.TEST_MIGRATIONS);
