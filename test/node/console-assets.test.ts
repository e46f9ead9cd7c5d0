// The web console's generated module (src/server/console-assets.ts) is what console/ builds to
// today, and the console's sources never turn a string into markup or code: every value reaches
// the page as text (console/dom.ts), which the Chromium test (console.test.ts) checks in use.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CONSOLE_ASSETS_FILE, consoleAssetsSource } from "../../scripts/console-assets.ts";

const root = resolve(import.meta.dirname, "../..");
const sources = readdirSync(join(root, "console")).filter((f) => f.endsWith(".ts"));

describe("the web console's files", () => {
  it("src/server/console-assets.ts is current (else: npm run console)", async () => {
    expect(readFileSync(CONSOLE_ASSETS_FILE, "utf8")).toBe(await consoleAssetsSource());
  });

  it("no console source writes markup or runs strings as code", () => {
    expect(sources.length).toBeGreaterThan(5);
    const sinks =
      /\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(|new Function\(|srcdoc|setTimeout\(\s*["'`]/;
    const found = sources.filter((f) =>
      sinks.test(
        readFileSync(join(root, "console", f), "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ""),
      ),
    );
    expect(found).toEqual([]);
  });
});
