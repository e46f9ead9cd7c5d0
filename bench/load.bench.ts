/**
 * Load benchmark: the real Node server (`bench/load-server.ts`, in a child process) under hostile
 * load, bounded in time and size.
 *
 *   npx tsx bench/load.bench.ts   (env: LOAD_SUBSCRIBERS=500, LOAD_SLOW=50, LOAD_EVENTS=200,
 *                                  LOAD_EVENT_KB=60, LOAD_FILE_MB=60)
 *
 * 1. Idle: the server's RSS after start-up and a few reads.
 * 2. Subscribers: LOAD_SUBSCRIBERS event-stream clients (4/5 SSE, 1/5 WebSocket), LOAD_SLOW of
 *    them slow consumers that never read (raw sockets, paused WebSockets); LOAD_EVENTS events of
 *    LOAD_EVENT_KB each published with `POST /events`, mixed with `GET /bots/{id}` reads. Peak RSS
 *    of the server process (sampled every 20 ms from /proc), and RSS and heap in use (after a
 *    full GC) once every client is gone, against the same at idle.
 * 3. Ingestion: a LOAD_FILE_MB markdown file uploaded and ingested, 30 concurrent
 *    `POST /ingest {"force":true}` for another knowledge base, while one client reads
 *    `GET /bots/{id}` back to back: read latency p50/p99/max during the ingestion, peak RSS.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { loadavg } from "node:os";
import { WebSocket } from "ws";

const SUBSCRIBERS = Number(process.env.LOAD_SUBSCRIBERS ?? 500);
const SLOW = Number(process.env.LOAD_SLOW ?? 50);
const EVENTS = Number(process.env.LOAD_EVENTS ?? 200);
const EVENT_KB = Number(process.env.LOAD_EVENT_KB ?? 60);
const FILE_MB = Number(process.env.LOAD_FILE_MB ?? 60);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/** Samples the child's RSS every 20 ms; `peak()` since the last `reset()`. */
function sampler(pid: number) {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone
    }
  }, 20);
  return {
    peak: () => Math.max(peak, rssOf(pid)),
    reset: () => {
      peak = rssOf(pid);
    },
    stop: () => clearInterval(timer),
  };
}

async function startServer(): Promise<{ child: ChildProcess; base: string; port: number }> {
  const extra = process.env.LOAD_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const args = ["--expose-gc", ...extra, "--import", "tsx", "bench/load-server.ts"];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", process.env.LOAD_SERVER_LOG ? "inherit" : "ignore"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") console.error(`the server exited: ${code ?? signal}`);
  });
  return { child, base: `http://127.0.0.1:${port}`, port };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The server's heap in use after a full garbage collection (it answers SIGUSR2). */
function heapOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      const m = /HEAP (\d+)/.exec(chunk.toString());
      if (!m) return;
      child.stdout?.off("data", onData);
      resolve(Number(m[1]));
    };
    child.stdout?.on("data", onData);
    child.kill("SIGUSR2");
  });
}

async function readBot(base: string, i: number): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${base}/bots/bot-${i % 100}`);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET /bots: ${response.status}`);
  return performance.now() - t0;
}

/** An SSE client that reads everything; `close()` ends it. */
async function fastSse(base: string): Promise<{ received: () => number; close: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${base}/events`, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        bytes += value.byteLength;
      }
    } catch {
      // closed
    }
  })();
  return { received: () => bytes, close: () => controller.abort() };
}

/** An SSE client on a raw socket that reads the headers, then nothing. */
async function slowSse(port: number): Promise<Socket> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise<void>((r) => socket.once("connect", () => r()));
  socket.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  await new Promise<void>((r) => socket.once("data", () => r()));
  socket.pause();
  return socket;
}

async function webSocket(port: number, slow: boolean): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/events`);
  ws.on("error", () => {});
  await new Promise<void>((r) => ws.once("message", () => r()));
  if (slow) ws.pause();
  return ws;
}

function markdown(bytes: number): Blob {
  const parts: string[] = [];
  let n = 0;
  for (let s = 1; n < bytes; s++) {
    const part = `## Section ${s}\n\nParagraph ${s} talks about topic number ${s} and nothing else. It repeats to fill space with plain sentences.\n\n`;
    parts.push(part);
    n += part.length;
  }
  return new Blob(parts);
}

async function main(): Promise<void> {
  const { child, base, port } = await startServer();
  const pid = child.pid as number;
  const rss = sampler(pid);
  const results: Record<string, unknown> = { loadavg: loadavg().map((l) => l.toFixed(2)) };
  try {
    for (let i = 0; i < 200; i++) await readBot(base, i);
    await sleep(1000);
    const idle = rssOf(pid);
    const idleHeap = await heapOf(child);
    results.idleRss = mb(idle);
    results.idleHeap = mb(idleHeap);

    // 2. Subscribers and slow consumers, large events, mixed reads.
    rss.reset();
    const sseCount = Math.round((SUBSCRIBERS * 4) / 5);
    const wsCount = SUBSCRIBERS - sseCount;
    const slowSseCount = Math.round((SLOW * 4) / 5);
    const slowWsCount = SLOW - slowSseCount;
    const fast: { received: () => number; close: () => void }[] = [];
    const slowSockets: Socket[] = [];
    const sockets: WebSocket[] = [];
    for (let i = 0; i < sseCount - slowSseCount; i++) fast.push(await fastSse(base));
    for (let i = 0; i < slowSseCount; i++) slowSockets.push(await slowSse(port));
    for (let i = 0; i < wsCount; i++) sockets.push(await webSocket(port, i < slowWsCount));
    const connectedRss = rssOf(pid);
    const payload = JSON.stringify({
      type: "custom",
      topic: "load:big",
      payload: { blob: "x".repeat(EVENT_KB * 1024) },
    });
    const reads: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const response = await fetch(`${base}/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload,
      });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`POST /events: ${response.status}`);
      reads.push(await readBot(base, i));
      if (i % 20 === 19) await sleep(50);
    }
    const oversized = await fetch(`${base}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "custom", topic: "t", payload: { blob: "x".repeat(1 << 20) } }),
    });
    await oversized.arrayBuffer();
    await sleep(2000);
    const publishSeconds = (performance.now() - t0) / 1000;
    const peakSubscribers = rss.peak();
    reads.sort((a, b) => a - b);
    const fastReceived = fast.reduce((n, f) => n + f.received(), 0) / Math.max(1, fast.length);
    for (const f of fast) f.close();
    for (const s of slowSockets) s.destroy();
    for (const ws of sockets) ws.terminate();
    await sleep(3000);
    results.subscribers = {
      sse: sseCount,
      webSocket: wsCount,
      slowConsumers: SLOW,
      events: `${EVENTS} × ${EVENT_KB} KiB in ${publishSeconds.toFixed(1)} s`,
      oversizedEventStatus: oversized.status,
      rssConnected: mb(connectedRss),
      peakRss: mb(peakSubscribers),
      peakOverIdle: (peakSubscribers / idle).toFixed(2),
      rssAfterClientsLeft: mb(rssOf(pid)),
      heapAfterClientsLeft: mb(await heapOf(child)),
      meanBytesPerFastSseClient: mb(fastReceived),
      readP50ms: percentile(reads, 50).toFixed(1),
      readP99ms: percentile(reads, 99).toFixed(1),
    };

    // 3. Ingestion of one large file, concurrent ingests, reads meanwhile.
    for (const domain of ["big", "small"]) {
      const r = await fetch(`${base}/kb`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ domain_id: domain }),
      });
      await r.arrayBuffer();
    }
    const file = markdown(FILE_MB * 1024 * 1024);
    const put = await fetch(`${base}/kb/big/files/huge.md`, { method: "PUT", body: file });
    await put.arrayBuffer();
    const small = await fetch(`${base}/kb/small/files/a.md`, {
      method: "PUT",
      body: markdown(512 * 1024),
    });
    await small.arrayBuffer();
    await sleep(1000);
    const beforeIngest = rssOf(pid);
    rss.reset();
    const start = await fetch(`${base}/kb/big/ingest`, { method: "POST" });
    const job = (await start.json()) as { job_id: string };
    // The 30 requests go out together, while the reads below run.
    const ingestIds = Promise.all(
      Array.from({ length: 30 }, async () => {
        try {
          const r = await fetch(`${base}/kb/small/ingest`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: '{"force":true}',
          });
          return ((await r.json()) as { job_id: string }).job_id;
        } catch (error) {
          return `failed: ${(error as Error).cause ?? error}`;
        }
      }),
    );
    const during: number[] = [];
    const i0 = performance.now();
    let status = "running";
    for (let i = 0; status === "running"; i++) {
      during.push(await readBot(base, i));
      if (i % 25 === 0) {
        const r = await fetch(`${base}/kb/big/ingest/${job.job_id}`);
        status = ((await r.json()) as { status: string }).status;
      }
    }
    const ingestSeconds = (performance.now() - i0) / 1000;
    during.sort((a, b) => a - b);
    results.ingestion = {
      file: `${FILE_MB} MB markdown`,
      status,
      seconds: ingestSeconds.toFixed(1),
      concurrentIngestRequests: 30,
      distinctJobs: new Set(await ingestIds).size,
      rssBefore: mb(beforeIngest),
      peakRss: mb(rss.peak()),
      reads: during.length,
      readP50ms: percentile(during, 50).toFixed(1),
      readP99ms: percentile(during, 99).toFixed(1),
      readMaxMs: (during.at(-1) ?? Number.NaN).toFixed(1),
      readsOverMs: Object.fromEntries(
        [20, 30, 40, 50, 100].map((ms) => [ms, during.filter((d) => d > ms).length]),
      ),
    };
  } finally {
    rss.stop();
    child.kill("SIGTERM");
    const exited = new Promise((r) => child.once("exit", r));
    if ((await Promise.race([exited, sleep(5000).then(() => "late")])) === "late")
      child.kill("SIGKILL");
  }
  console.log(JSON.stringify(results, null, 2));
}

await main();
