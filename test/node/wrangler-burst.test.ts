// Bursts of 500 concurrent PUTs through `npm run dev` (wrangler dev, the registry in local D1):
// every PUT is answered 200 and applied, exactly once. Without the front of scripts/dev-front.mjs,
// wrangler's ProxyWorker lost some of them on connections to the Worker that workerd was closing
// (503 "Your worker restarted mid-request", the write never applied): issue 22, item 7.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { burst } from "./wrangler-burst.ts";
import { type DevProcess, startDev } from "./wrangler-dev-process.ts";

let persist = "";
let dev: DevProcess | undefined;

beforeAll(async () => {
  persist = await mkdtemp(join(tmpdir(), "botknobs-burst-"));
  dev = await startDev({ persist });
}, 90_000);

afterAll(async () => {
  await dev?.stop();
  await rm(persist, { recursive: true, force: true });
}, 30_000);

describe("npm run dev under bursts of 500 concurrent PUTs", () => {
  for (const [name, prefix, oneBot] of [
    ["to one bot", "one", true],
    ["to 500 bots", "many", false],
  ] as const) {
    it(`${name}: every PUT answered 200 and applied once`, async () => {
      const r = await burst((dev as DevProcess).base, { size: 500, prefix, oneBot });
      expect(r.failures).toEqual([]);
      expect(r.statuses).toEqual({ 200: 500 });
      expect(r.applied).toBe(500);
      expect(r.strayApplied).toBe(0);
      expect(r.doubled).toBe(0);
    }, 300_000);
  }
});
