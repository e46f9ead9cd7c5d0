/**
 * Cross-process event latency: two `npm start` processes (A and B) on one fresh data folder, an
 * SSE client of A (`GET /events?topics=registry:*`, read as bytes arrive), and EVENTS_PUTS PUTs
 * through B one after another (after 20 to warm up). Per PUT: the time from sending it to B until
 * its event (`bot_id`, `version`) reaches A's client, and from B's answer to that event.
 *
 *   npx tsx bench/cross-process-events.bench.ts
 *   env: EVENTS_PUTS=200, EVENTS_TREE=<another tree, e.g. the code of before (see
 *        bench/start-restart.bench.ts); there a PUT's event counts as missing after 5 s>
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SseParser } from "../src/core/events/sse-parser.ts";
import { npmStart, type Started } from "../test/fixtures/npm-start.ts";

const PUTS = Number(process.env.EVENTS_PUTS ?? 200);
const tree = resolve(process.env.EVENTS_TREE ?? resolve(import.meta.dirname, ".."));
const MISSING_MS = 5000;

/** A's SSE client: resolves `heard(key)` when the event of `bot_id:version` arrives. */
async function sseClient(url: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/events?topics=registry:*`, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const parser = new SseParser();
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = performance.now();
        for (const m of parser.push(value)) {
          if (m.event === "ready") ready();
          if (m.event !== "message") continue;
          const { payload } = JSON.parse(m.data) as {
            payload: { bot_id: string; version: number };
          };
          const key = `${payload.bot_id}:${payload.version}`;
          arrived.set(key, at);
          waiting.get(key)?.(at);
        }
      }
    } catch {
      // closed
    }
  })();
  await isReady;
  return {
    heard(key: string): Promise<number | null> {
      const at = arrived.get(key);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((done) => {
        const timer = setTimeout(() => done(null), MISSING_MS);
        waiting.set(key, (t) => {
          clearTimeout(timer);
          done(t);
        });
      });
    },
    close: () => controller.abort(),
  };
}

const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const data = mkdtempSync(join(tmpdir(), "botknobs-events-bench-"));
const started: Started[] = [];
try {
  const a = await npmStart({ BOTKNOBS_DATA: data }, [], tree);
  started.push(a);
  const b = await npmStart({ BOTKNOBS_DATA: data }, [], tree);
  started.push(b);
  const client = await sseClient(a.url);
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  let missing = 0;
  const versions = new Map<string, number>();
  for (let i = 0; i < PUTS + 20; i++) {
    const bot = `lat-${i % 10}`;
    const t0 = performance.now();
    const response = await fetch(`${b.url}/bots/${bot}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ config: { llm: { model: `m-${i}` } } }),
    });
    const { version } = (await response.json()) as { version: number };
    const answered = performance.now();
    versions.set(bot, version);
    const at = await client.heard(`${bot}:${version}`);
    if (i < 20) continue;
    if (at === null) missing++;
    else {
      fromSend.push(at - t0);
      fromAnswer.push(at - answered);
    }
    if (missing >= 3 && fromSend.length === 0) break; // nothing crosses: no need to wait out every PUT
  }
  client.close();
  const line = (label: string, xs: number[]): string => {
    const s = [...xs].sort((x, y) => x - y);
    return `| ${label} | ${pct(s, 50).toFixed(1)} | ${pct(s, 95).toFixed(1)} | ${(s.at(-1) ?? Number.NaN).toFixed(1)} |`;
  };
  console.log(
    `tree ${tree}, load average ${loadavg()[0]?.toFixed(1)}: ${fromSend.length} events heard at A, ${missing} missing after ${MISSING_MS} ms`,
  );
  console.log("| PUT through B → event at A's SSE client | p50 ms | p95 ms | max ms |");
  console.log("|---|---:|---:|---:|");
  if (fromSend.length > 0) {
    console.log(line("from sending the PUT", fromSend));
    console.log(line("from B's answer", fromAnswer));
  }
} finally {
  for (const s of started) await s.stop();
  rmSync(data, { recursive: true, force: true });
}
