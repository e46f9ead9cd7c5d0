// The web console in Chromium (playwright-core, Debian's chromium) against the Worker under
// `npm run dev` (wrangler dev, the demo seeded, on a fresh --persist-to folder): the same flows
// as on Node (test/fixtures/console-flows.ts) — bots list, editor, diff, rollback, labels and a
// split, upload with ingestion and search, the live feed, a phone's width, markup shown as text.
// Screenshots go to test/artifacts/console/worker/.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleSuite } from "../fixtures/console-flows.ts";
import { startDev } from "./wrangler-dev-process.ts";

consoleSuite("the web console in Chromium, served by the Worker (npm run dev)", {
  start: async () => {
    const persist = await mkdtemp(join(tmpdir(), "botknobs-console-worker-"));
    const dev = await startDev({ persist, timeoutMs: 120_000 });
    return {
      url: dev.base,
      stop: async () => {
        await dev.stop();
        await rm(persist, { recursive: true, force: true });
      },
    };
  },
  startTimeoutMs: 150_000,
  shots: "worker",
});
