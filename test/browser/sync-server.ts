// A botknobs server for the sync tests in Chromium (browser-sync.test.ts): registry and knowledge
// in memory, a bearer token, CORS open, WebSocket upgrades; and a control server beside it that
// stops it (the port then refuses connections: the page's server is really unreachable) and
// starts it again on the same port, with the same data.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Served, serveApp, upgradeWebSocket } from "../../src/adapters/node/index.ts";
import { InMemoryBackend, InMemoryEventBus, InMemoryKnowledgeBackend } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";

/** The token the sync server takes. */
export const SYNC_TOKEN = "sync-Token_9";

/** The sync server and its control server (`POST /stop`, `POST /start`). */
export async function startSyncServer(): Promise<{
  url: string;
  controlUrl: string;
  close(): Promise<void>;
}> {
  const eventBus = new InMemoryEventBus();
  const app = createApp({
    registry: new InMemoryBackend({ eventBus }),
    knowledge: new InMemoryKnowledgeBackend(),
    eventBus,
    auth: { tokens: [SYNC_TOKEN] },
    cors: { origins: "*" },
    upgradeWebSocket,
    heartbeatSeconds: 1,
  });
  let served: Served | undefined = await serveApp(app);
  const port = served.port;
  const url = served.url;
  const control: Server = createServer((req, res) => {
    void (async () => {
      if (req.url === "/stop" && served) {
        await served.close();
        served = undefined;
      } else if (req.url === "/start" && !served) {
        served = await serveApp(app, { port });
      }
      res.writeHead(204, { "access-control-allow-origin": "*" }).end();
    })();
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  return {
    url,
    controlUrl,
    close: async () => {
      await served?.close();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}
