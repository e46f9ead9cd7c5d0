// Slow clients against serveApp's timeouts, over raw sockets that trickle (short timeouts here;
// the defaults are in SERVE_TIMEOUTS): a trickled body or trickled headers are cut off, an idle
// keep-alive connection is closed, and bad timeout options are refused.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SERVE_TIMEOUTS, type Served, serveApp } from "../../src/adapters/node/index.ts";
import { InMemoryBackend, InMemoryEventBus, ValidationError } from "../../src/index.ts";
import { createApp } from "../../src/server/index.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function served(): Promise<Served> {
  const server = await serveApp(createApp({ registry: new InMemoryBackend() }), {
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    keepAliveTimeoutMs: 300,
  });
  cleanup.push(() => server.close());
  return server;
}

/** Opens a socket; `closed` resolves with what the server sent once it closes the connection. */
async function open(server: Served): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(server.port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => {
    received += chunk.toString("latin1");
  });
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(received)));
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  cleanup.push(() => socket.destroy());
  return { socket, closed };
}

/** Writes one byte every 50 ms until the socket closes (or `max` bytes: far longer than any limit). */
function trickle(socket: Socket, byte: string, max: number): () => number {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= max) clearInterval(timer);
    else {
      socket.write(byte);
      sent++;
    }
  }, 50);
  cleanup.push(() => clearInterval(timer));
  return () => sent;
}

/** Resolves with `closed`'s value, or "still open" after `ms`. */
function within(closed: Promise<string>, ms: number): Promise<string> {
  return Promise.race([closed, new Promise<string>((r) => setTimeout(() => r("still open"), ms))]);
}

describe("serveApp timeouts (raw sockets)", () => {
  it("a request body trickled in slower than requestTimeoutMs is cut off with 408", async () => {
    const { socket, closed } = await open(await served());
    socket.write(
      "PUT /bots/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
    );
    const sent = trickle(socket, " ", 100_000); // 100,000 bytes at 20/s: over an hour
    const answer = await within(closed, 10_000);
    expect(answer).not.toBe("still open");
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(sent()).toBeLessThan(100_000);
  });

  it("headers trickled in slower than headersTimeoutMs are cut off", async () => {
    const { socket, closed } = await open(await served());
    socket.write("GET /bots HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    trickle(socket, "a", 100_000);
    const answer = await within(closed, 10_000);
    expect(answer).not.toBe("still open");
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("an idle keep-alive connection is closed after keepAliveTimeoutMs", async () => {
    const { socket, closed } = await open(await served());
    socket.write("GET /bots HTTP/1.1\r\nHost: x\r\n\r\n");
    // Well past 300 ms, and short of Node's own default (5 s).
    const answer = await within(closed, 3_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
  });

  it("a connection silent both ways for idleTimeoutMs is closed (an event stream without heartbeats); 0 keeps it", async () => {
    const app = createApp({
      registry: new InMemoryBackend(),
      eventBus: new InMemoryEventBus(),
      heartbeatSeconds: 3600,
    });
    const stream = async (idleTimeoutMs: number): Promise<string> => {
      const server = await serveApp(app, { idleTimeoutMs });
      cleanup.push(() => server.close());
      const { socket, closed } = await open(server);
      socket.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
      return within(closed, 3_000);
    };
    const cut = await stream(400);
    expect(cut).toMatch(/^HTTP\/1\.1 200/); // it was served, then went quiet and was closed
    expect(cut).toContain("event: ready");
    expect(await stream(0)).toBe("still open");
  });

  it("bad timeouts are refused with a ValidationError naming the option", async () => {
    const app = createApp({ registry: new InMemoryBackend() });
    await expect(serveApp(app, { headersTimeoutMs: -1 })).rejects.toThrow(/headersTimeoutMs/);
    await expect(
      serveApp(app, { headersTimeoutMs: 5000, requestTimeoutMs: 1000 }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(SERVE_TIMEOUTS.requestTimeoutMs).toBeLessThan(130_000);
  });
});
