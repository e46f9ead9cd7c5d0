// The web console in Chromium (playwright-core, Debian's chromium) against `botknobs serve` in a
// child process: the flows every server passes (test/fixtures/console-flows.ts), then what this
// one is asked besides — the token prompt on 401 and the bytes a first load transfers.
// Screenshots go to test/artifacts/console/.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ARTIFACTS } from "../fixtures/console-browser.ts";
import { consoleSuite } from "../fixtures/console-flows.ts";
import { npmStart } from "../fixtures/npm-start.ts";

const TOKEN = "console-secret";

consoleSuite("the web console in Chromium", {
  start: () => npmStart({}, ["--memory"]),
  startTimeoutMs: 90_000,
  shots: "",
  more: ({ url, page, shot }) => {
    it("asks for a token when the API answers 401, once, and keeps it for the session", async () => {
      const guarded = await npmStart({ BOTKNOBS_TOKENS: TOKEN }, ["--memory"]);
      try {
        expect((await fetch(`${guarded.url}/`)).status).toBe(200);
        expect((await fetch(`${guarded.url}/bots`)).status).toBe(401);
        await page().goto(`${guarded.url}/`);
        const dialog = page().getByRole("dialog");
        await dialog.getByText("This server needs a token.").waitFor();
        await shot("token");
        await dialog.getByLabel("Bearer token").fill("wrong");
        await dialog.getByRole("button", { name: "Use token" }).click();
        await dialog.getByText("The server refused the token given: enter another.").waitFor();
        await dialog.getByLabel("Bearer token").fill(TOKEN);
        await dialog.getByLabel("Bearer token").press("Enter");
        await page()
          .getByRole("row", { name: /support-bot/ })
          .waitFor();
        await page().getByText("events: live").waitFor();
        expect(await page().evaluate(() => sessionStorage.getItem("botknobs.token"))).toBe(TOKEN);
        await page().reload();
        await page()
          .getByRole("row", { name: /support-bot/ })
          .waitFor();
        expect(await dialog.count()).toBe(0);
      } finally {
        await guarded.stop();
      }
    });

    it("a first load transfers less than 100 KB", async () => {
      const loads: { url: string; bytes: number; encoding: string | null }[] = [];
      page().on("requestfinished", async (request) => {
        const sizes = await request.sizes();
        const response = await request.response();
        loads.push({
          url: request.url().replace(url(), ""),
          bytes: sizes.responseBodySize + sizes.responseHeadersSize,
          encoding: (await response?.allHeaders())?.["content-encoding"] ?? null,
        });
      });
      await page().goto(`${url()}/`);
      await page()
        .getByRole("row", { name: /support-bot/ })
        .waitFor();
      await expect.poll(() => loads.some((l) => l.url.startsWith("/bots"))).toBe(true);
      const total = loads.reduce((sum, l) => sum + l.bytes, 0);
      const assets = loads.filter((l) => l.url.startsWith("/console/"));
      writeFileSync(join(ARTIFACTS, "first-load.json"), JSON.stringify({ total, loads }, null, 2));
      console.log(`console first load: ${total} bytes over ${loads.length} requests`, loads);
      expect(assets.map((a) => a.encoding)).toEqual(["gzip", "gzip"]);
      expect(total).toBeLessThan(100 * 1024);
    });
  },
});
