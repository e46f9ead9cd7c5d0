// The adapters take structural subsets of the Cloudflare bindings (src/adapters/{d1,kv,r2}/types.ts)
// so they need no platform types. These assignments fail `npm run check` (tsc) if the real types
// from @cloudflare/workers-types stop fitting them; the case below checks the live bindings too.

import { env } from "cloudflare:workers";
import type {
  D1Database,
  FixedLengthStream,
  KVNamespace,
  R2Bucket,
} from "@cloudflare/workers-types/latest";
import { describe, expect, it } from "vitest";
import type { D1DatabaseLike } from "../../src/adapters/d1/types.ts";
import type { KVNamespaceLike } from "../../src/adapters/kv/types.ts";
import type { FixedLengthStreamLike, R2BucketLike } from "../../src/adapters/r2/types.ts";

type Fits<Real, Like> = Real extends Like ? true : never;
const d1: Fits<D1Database, D1DatabaseLike> = true;
const kv: Fits<KVNamespace, KVNamespaceLike> = true;
const r2: Fits<R2Bucket, R2BucketLike> = true;
const fixed: Fits<typeof FixedLengthStream, FixedLengthStreamLike> = true;

describe("Cloudflare binding types", () => {
  it("the live bindings have the calls the adapters make", () => {
    expect([d1, kv, r2, fixed]).toEqual([true, true, true, true]);
    for (const name of ["prepare"])
      expect(typeof (env.REGISTRY_DB as never)[name]).toBe("function");
    for (const name of ["get", "getWithMetadata", "put", "delete", "list"])
      expect(typeof (env.REGISTRY_KV as never)[name]).toBe("function");
    for (const name of ["head", "get", "put", "delete", "list"])
      expect(typeof (env.KNOWLEDGE as never)[name]).toBe("function");
  });
});
