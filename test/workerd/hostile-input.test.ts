// Hostile input inside workerd: the same cases as on Node (test/fixtures/hostile-cases.ts),
// through app.fetch in the Workers runtime.
import { describe, expect, it } from "vitest";
import { hostileCases } from "../fixtures/hostile-cases.ts";

describe("hostile input (workerd)", () => {
  hostileCases(it, expect);
});
