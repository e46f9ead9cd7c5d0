// The Worker entry (worker/index.ts, wrangler.toml) answers from inside workerd.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("the botknobs Worker", () => {
  it("serves its health check from workerd", async () => {
    const response = await exports.default.fetch("https://botknobs.test/");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: "botknobs", status: "ok", bots: 0 });
  });
});
