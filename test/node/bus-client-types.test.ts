// The real client packages fit the structural types the buses call (checked by tsc in
// `npm run check`; the cases only make sure the modules load).
import { describe, expect, it } from "vitest";
import type { PostgresModuleLike } from "../../src/adapters/postgres/index.ts";
import type { RedisModuleLike } from "../../src/adapters/redis/index.ts";

describe("client packages fit the *Like types", () => {
  it("redis (node-redis 5) fits RedisModuleLike", async () => {
    const redis: RedisModuleLike = await import("redis");
    expect(typeof redis.createClient).toBe("function");
  });
  it("postgres (postgres.js 3) fits PostgresModuleLike", async () => {
    const postgres: PostgresModuleLike = await import("postgres");
    expect(typeof postgres.default).toBe("function");
  });
});
