// Vitest global setup of the browser project: a botknobs API on Node (127.0.0.1, any port, CORS
// open, WebSocket upgrades) that the tests inside Chromium reach as a real remote server; a
// second one with knowledge and a token, which a control server stops and starts (sync-server.ts);
// and the mutation run's mode (BOTKNOBS_MUTANTS), which the page cannot read from the environment.
import type { TestProject } from "vitest/node";
import { serveApp, upgradeWebSocket } from "../../src/adapters/node/index.ts";
import { InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { SYNC_TOKEN, startSyncServer } from "./sync-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    /** A server with knowledge and a token (browser-sync.test.ts), and its stop/start control. */
    syncUrl: string;
    syncControlUrl: string;
    syncToken: string;
    /** `BOTKNOBS_MUTANTS` of the run (`npm run mutants`), for browser-mutants.test.ts. */
    mutants: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const eventBus = new InMemoryEventBus();
  const app = createApp({
    registry: new InMemoryBackend({ eventBus }),
    eventBus,
    cors: { origins: "*" },
    upgradeWebSocket,
    heartbeatSeconds: 1,
  });
  const served = await serveApp(app);
  project.provide("apiUrl", served.url);
  project.provide("mutants", process.env.BOTKNOBS_MUTANTS ?? "");
  const sync = await startSyncServer();
  project.provide("syncUrl", sync.url);
  project.provide("syncControlUrl", sync.controlUrl);
  project.provide("syncToken", SYNC_TOKEN);
  return async () => {
    await sync.close();
    await served.close();
  };
}
