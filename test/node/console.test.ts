// The web console in Chromium (playwright-core, Debian's chromium) against `botknobs serve` in a
// child process, as a user opens it: the bots list; the config editor validating as you type
// and saving; a diff; a rollback; a protected label moved and a split set with the slider, by
// keyboard; a drag-and-drop upload, its ingestion and a search; a live event; a phone's width;
// HTML and script in a config, a reason and a file name shown as text; the token prompt on 401;
// and the bytes a first load transfers. Screenshots go to test/artifacts/console/.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  ARTIFACTS,
  launchChromium,
  section,
  shot,
  watch,
  withChromium,
} from "../fixtures/console-browser.ts";
import { npmStart, type Started } from "../fixtures/npm-start.ts";

const TOKEN = "console-secret";

withChromium("the web console in Chromium", () => {
  let browser: Browser;
  let server: Started;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  const api = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const get = async <T>(path: string): Promise<T> => (await (await api("GET", path)).json()) as T;
  /** Writes `configs` as versions 1… of a new bot. */
  const seedBot = async (id: string, ...configs: object[]): Promise<void> => {
    for (const config of configs) await api("PUT", `/bots/${id}`, { config });
  };

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), npmStart({}, ["--memory"])]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([browser?.close(), server?.stop()]);
  });
  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    page = await context.newPage();
    errors = watch(page);
    return () => expect(errors).toEqual([]);
  });

  it("lists the bots with their status and labels", async () => {
    await page.goto(`${server.url}/`);
    const row = page.getByRole("row", { name: /support-bot/ });
    await row.waitFor();
    expect(await row.getByText("active").count()).toBe(1);
    expect(await row.getByRole("listitem").allTextContents()).toEqual(["latest → v1"]);
    await shot(page, "bots");
  });

  it("the config editor validates as you type against the server's schema, then saves", async () => {
    await seedBot("editor-bot", { llm: { model: "claude-3-sonnet" } });
    await page.goto(`${server.url}/#/bots/editor-bot`);
    const body = page.getByLabel("Body of PUT");
    const issues = page.locator("#editor-issues");
    const save = page.getByRole("button", { name: "Save" });
    await issues.getByText("Valid against the server's schema (PutBot).").waitFor();
    await body.fill('{"config": {');
    await issues.getByText(/^JSON/).waitFor();
    expect(await save.isDisabled()).toBe(true);
    await body.fill('{"config": {}, "stauts": "active"}');
    await issues.getByText("stauts not allowed here (unknown field)").waitFor();
    await body.fill('{"config": {}, "status": "paused"}');
    await issues.getByText('status expected one of "active", "inactive", "error"').waitFor();
    await body.fill('{"config": {"llm": {"model": "claude-3-opus"}}, "status": "active"}');
    await page.getByLabel("Reason (optional, kept").fill("a bigger model");
    await shot(page, "editor");
    await save.click();
    await page.getByText("Saved as version 2.").waitFor();
    const bot = await get<{ version: number; config: object; ext: object }>("/bots/editor-bot");
    expect(bot).toMatchObject({
      version: 2,
      config: { llm: { model: "claude-3-opus" } },
      ext: { write_context: { actor: "anonymous", reason: "a bigger model" } },
    });
  });

  it("diffs two versions as a JSON Patch", async () => {
    await seedBot("diff-bot", { llm: { model: "a" } }, { llm: { model: "b" }, tools: ["search"] });
    await page.goto(`${server.url}/#/bots/diff-bot`);
    const versions = section(page, "Versions");
    await versions.getByLabel("From").selectOption("1");
    await versions.getByLabel("To").selectOption("2");
    await versions.getByRole("button", { name: "Diff" }).click();
    await versions.getByText("2 change(s).").waitFor();
    expect(await versions.locator(".patch li").allInnerTexts()).toEqual([
      'replace /config/llm/model\n"b"',
      'add /config/tools\n[\n  "search"\n]',
    ]);
    await shot(page, "diff");
  });

  it("rolls back: a new version with the old content", async () => {
    await seedBot("rollback-bot", { llm: { model: "old" } }, { llm: { model: "new" } });
    await page.goto(`${server.url}/#/bots/rollback-bot`);
    await page.getByRole("button", { name: "Roll back to v1" }).click();
    await page.getByText("Rolled back: v3 holds v1's content.").waitFor();
    expect(await get("/bots/rollback-bot")).toMatchObject({
      version: 3,
      config: { llm: { model: "old" } },
    });
    // The view shows the new version: the editor holds v1's content again.
    expect(await page.getByLabel("Body of PUT").inputValue()).toContain('"model": "old"');
    await shot(page, "rollback");
  });

  it("moves the protected production label, and sets a split with the slider — by keyboard", async () => {
    await seedBot("label-bot", { v: 1 }, { v: 2 }, { v: 3 });
    await page.goto(`${server.url}/#/bots/label-bot`);
    const labels = section(page, "Labels and rollouts");
    await labels.getByLabel(/^Label\b/).fill("production");
    await labels.getByLabel(/^Version/).selectOption("2");
    await labels.getByRole("button", { name: "Set label" }).click();
    await labels.getByText("Set production: done.").waitFor();
    await labels.getByRole("rowheader", { name: "production" }).waitFor();

    // The split, with the keyboard only: type the name, pick the versions, move the slider.
    await labels.getByLabel(/^Label\b/).focus();
    await page.keyboard.type("canary");
    await labels.getByLabel(/^Version/).selectOption("1");
    await labels.getByLabel("Split with").selectOption("3");
    await labels.getByLabel("Share of the split version").focus();
    for (let i = 0; i < 20; i++) await page.keyboard.press("ArrowRight");
    await labels.getByText("Serves: v1 80% · v3 20%").waitFor();
    await labels.getByRole("button", { name: "Set label" }).focus();
    await page.keyboard.press("Enter");
    await labels.getByText("Set canary: done.").waitFor();
    // Each move wrote a version (same content, same ETag): the view shows the newest.
    await page.locator(".summary").getByText("version 5").waitFor();
    await shot(page, "labels");
    const { labels: got } = await get<{ labels: object }>("/bots/label-bot/labels");
    expect(got).toMatchObject({
      production: { version: 2 },
      canary: {
        split: [
          { version: 1, percent: 80 },
          { version: 3, percent: 20 },
        ],
      },
    });
  });

  it("uploads a dropped file, follows its ingestion and finds it by search", async () => {
    await page.goto(`${server.url}/#/kb/support`);
    const files = section(page, "Files");
    await files.getByRole("rowheader", { name: "faq.md" }).waitFor();
    await drop(page, "otters.md", "# Otters\n\nSea otters hold hands while they sleep.\n");
    await files.getByText("otters.md: stored").waitFor();
    await files.getByText(/^Ingestion completed: 1 file\(s\) processed/).waitFor();
    const progress = files.locator("progress");
    expect(await progress.evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([3, 3]);
    await files.getByRole("rowheader", { name: "otters.md" }).waitFor();
    await shot(page, "upload");

    const search = section(page, "Search playground");
    await search.getByLabel("Query").fill("otters hold hands");
    await search.getByLabel("Query").press("Enter");
    await search.getByText(/result\(s\) in \d+ ms/).waitFor();
    expect(await search.locator(".hits li b").first().textContent()).toBe("otters.md");
    expect(await search.locator(".hit-text").first().textContent()).toContain("hold hands");
    await shot(page, "search");
  });

  it("shows a write made elsewhere at once: in the live feed and in the bots list", async () => {
    await page.goto(`${server.url}/#/events`);
    await page.getByText("events: live").waitFor();
    await seedBot("feed-bot", { hello: "world" });
    await page
      .locator(".feed li", { hasText: "bot feed-bot" })
      .getByText("created", { exact: true })
      .waitFor();
    await shot(page, "events");
    await page.getByRole("link", { name: "Bots" }).click();
    await page.getByRole("row", { name: /feed-bot/ }).waitFor();
    await seedBot("feed-bot-2", {});
    await page.getByRole("row", { name: /feed-bot-2/ }).waitFor(); // no reload
  });

  it("reads on a phone: no view scrolls sideways", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, name] of [
      ["#/bots", "phone-bots"],
      ["#/bots/support-bot", "phone-bot"],
      ["#/kb/support", "phone-kb"],
      ["#/events", "phone-events"],
    ] as const) {
      await page.goto(`${server.url}/${hash}`);
      await page.locator("h1").waitFor();
      await page.waitForLoadState("load");
      await shot(page, name);
      const [width, viewport] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        window.innerWidth,
      ]);
      expect([hash, width]).toEqual([hash, viewport]);
    }
  });

  it("shows HTML and script in a config, a reason and a file name as text, never running it", async () => {
    const markup = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script>";
    await api("PUT", "/bots/xss-bot", { config: { note: "safe" } });
    await api("PUT", "/bots/xss-bot", {
      config: { note: markup, [markup]: 1 },
      reason: "<img src=x onerror=window.__xss=3>",
    });
    await page.goto(`${server.url}/#/bots/xss-bot`);
    const versions = section(page, "Versions");
    await versions.getByRole("cell", { name: "<img src=x onerror=window.__xss=3>" }).waitFor();
    await versions.getByRole("button", { name: "Diff" }).click();
    await versions.getByText(`"${markup}"`).waitFor();
    // The key as a JSON Pointer (RFC 6901: "/" written "~1").
    await versions.getByText(`/config/${markup.replace("/", "~1")}`).waitFor();

    const name = "<img src=x onerror=window.__xss=4>.md";
    await page.goto(`${server.url}/#/kb/support`);
    await drop(page, name, "# Markup\n\nA file named with markup.\n");
    await page.getByText(`${name}: stored`).waitFor();
    // Searched only once ingested: under load the search could otherwise run first and miss it.
    await page.getByText(/^Ingestion completed: 1 file\(s\) processed/).waitFor();
    await page.getByRole("rowheader", { name }).waitFor();
    await page.getByLabel("Query").fill("named with markup");
    await page.getByLabel("Query").press("Enter");
    await page.locator(".hits li b", { hasText: name }).waitFor();
    await shot(page, "xss");

    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("main img, main script").count()).toBe(0);
  });

  it("asks for a token when the API answers 401, once, and keeps it for the session", async () => {
    const guarded = await npmStart({ BOTKNOBS_TOKENS: TOKEN }, ["--memory"]);
    try {
      expect((await fetch(`${guarded.url}/`)).status).toBe(200);
      expect((await fetch(`${guarded.url}/bots`)).status).toBe(401);
      await page.goto(`${guarded.url}/`);
      const dialog = page.getByRole("dialog");
      await dialog.getByText("This server needs a token.").waitFor();
      await shot(page, "token");
      await dialog.getByLabel("Bearer token").fill("wrong");
      await dialog.getByRole("button", { name: "Use token" }).click();
      await dialog.getByText("The server refused the token given: enter another.").waitFor();
      await dialog.getByLabel("Bearer token").fill(TOKEN);
      await dialog.getByLabel("Bearer token").press("Enter");
      await page.getByRole("row", { name: /support-bot/ }).waitFor();
      await page.getByText("events: live").waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("botknobs.token"))).toBe(TOKEN);
      await page.reload();
      await page.getByRole("row", { name: /support-bot/ }).waitFor();
      expect(await dialog.count()).toBe(0);
    } finally {
      await guarded.stop();
    }
  });

  it("a first load transfers less than 100 KB", async () => {
    const loads: { url: string; bytes: number; encoding: string | null }[] = [];
    page.on("requestfinished", async (request) => {
      const sizes = await request.sizes();
      const response = await request.response();
      loads.push({
        url: request.url().replace(server.url, ""),
        bytes: sizes.responseBodySize + sizes.responseHeadersSize,
        encoding: (await response?.allHeaders())?.["content-encoding"] ?? null,
      });
    });
    await page.goto(`${server.url}/`);
    await page.getByRole("row", { name: /support-bot/ }).waitFor();
    await expect.poll(() => loads.some((l) => l.url.startsWith("/bots"))).toBe(true);
    const total = loads.reduce((sum, l) => sum + l.bytes, 0);
    const assets = loads.filter((l) => l.url.startsWith("/console/"));
    writeFileSync(join(ARTIFACTS, "first-load.json"), JSON.stringify({ total, loads }, null, 2));
    console.log(`console first load: ${total} bytes over ${loads.length} requests`, loads);
    expect(assets.map((a) => a.encoding)).toEqual(["gzip", "gzip"]);
    expect(total).toBeLessThan(100 * 1024);
  });
});

/** Drops a file on the drop zone, as a drag from the desktop does. */
async function drop(page: Page, name: string, text: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([n, t]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([t as string], n as string, { type: "text/markdown" }));
      return transfer;
    },
    [name, text],
  );
  await page.getByTestId("dropzone").dispatchEvent("drop", { dataTransfer });
}
