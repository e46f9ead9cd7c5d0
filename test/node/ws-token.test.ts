// A browser's WebSocket cannot carry `Authorization`: the token goes in the subprotocol
// `botknobs.token.<t>`, on the Node server (serveApp, `ws`). The Worker's side is in
// test/workerd/ws-token.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { serveApp, upgradeWebSocket } from "../../src/adapters/node/index.ts";
import type { ServerFrame } from "../../src/core/events/ws-frames.ts";
import { InMemoryBackend, InMemoryEventBus } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";
import { captureConsole } from "../fixtures/console-capture.ts";

const TOKEN = "s3cret-Token_42";
let served: { url: string; close(): Promise<void> };
/** Every URL the app was asked for, as it saw them. */
const seenUrls: string[] = [];
/** Everything written to the console while the tests ran. */
const logged = captureConsole();

beforeAll(async () => {
  const eventBus = new InMemoryEventBus();
  const app = createApp({
    registry: new InMemoryBackend({ eventBus }),
    eventBus,
    auth: { tokens: [TOKEN] },
    upgradeWebSocket,
  });
  served = await serveApp({
    fetch: (request: Request, ...rest: never[]) => {
      seenUrls.push(request.url);
      return app.fetch(request, ...rest);
    },
  });
});
afterAll(async () => {
  await served.close();
  logged.restore();
});

/** Opens a socket offering `protocols`: its selected subprotocol and first frame, or the HTTP status. */
function connect(
  protocols: string[],
): Promise<{ protocol: string; frame: ServerFrame } | { status: number; body: string }> {
  const socket = new WebSocket(`${served.url.replace("http", "ws")}/events`, protocols);
  return new Promise((resolve, reject) => {
    socket.once("message", (data) => {
      resolve({ protocol: socket.protocol, frame: JSON.parse(String(data)) as ServerFrame });
      socket.close();
    });
    socket.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once("error", (error) => {
      if (!String(error).includes("Unexpected server response")) reject(error);
    });
  });
}

describe("the token in a WebSocket subprotocol (Node)", () => {
  it("a good token connects; the answer names botknobs.events, not the token", async () => {
    const got = await connect(["botknobs.events", `botknobs.token.${TOKEN}`]);
    expect(got).toMatchObject({ protocol: "botknobs.events", frame: { kind: "ready" } });
  });

  it("a token offered alone connects, answered with its own subprotocol (a browser needs one)", async () => {
    const got = await connect([`botknobs.token.${TOKEN}`]);
    expect(got).toMatchObject({ protocol: `botknobs.token.${TOKEN}`, frame: { kind: "ready" } });
  });

  it("a wrong token is a 401, as is none at all", async () => {
    const wrong = await connect(["botknobs.events", "botknobs.token.not-it"]);
    expect(wrong).toMatchObject({ status: 401 });
    expect((wrong as { body: string }).body).not.toContain("not-it");
    expect(await connect(["botknobs.events"])).toMatchObject({ status: 401 });
  });

  it("the subprotocol is only read on a WebSocket handshake: a plain GET with it is a 401", async () => {
    const response = await fetch(`${served.url}/bots`, {
      headers: { "sec-websocket-protocol": `botknobs.token.${TOKEN}` },
    });
    expect(response.status).toBe(401);
  });

  it("the token appears in no URL the server saw and in nothing logged", async () => {
    await connect(["botknobs.events", `botknobs.token.${TOKEN}`]);
    await connect(["botknobs.token.wrong-one"]);
    expect(seenUrls.length).toBeGreaterThan(0);
    for (const url of seenUrls) expect(url).not.toContain(TOKEN);
    for (const line of logged.lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain("wrong-one");
    }
  });
});
