/**
 * The other process of bench/cross-process-events-buses.bench.ts: opens one bus (argv[2], with
 * the JSON options of argv[3]), and for every `bench:ping` event records when its handler ran
 * (`performance.timeOrigin + performance.now()`, the same clock as the publisher's `sent`) and
 * answers on `bench:pong`. Prints `ready`, and on `bench:done` its latencies as JSON.
 */
import { FileEventBus } from "../src/adapters/fs/index.ts";
import { PostgresEventBus } from "../src/adapters/postgres/index.ts";
import { RedisEventBus } from "../src/adapters/redis/index.ts";
import { Event, type EventBus, EventType, SSEEventBus } from "../src/index.ts";

export function makeBus(kind: string, options: Record<string, unknown>): EventBus {
  if (kind === "file") return new FileEventBus(options as never);
  if (kind === "sse") return new SSEEventBus(options as never);
  if (kind === "redis") return new RedisEventBus(options);
  if (kind === "postgres") return new PostgresEventBus(options);
  throw new Error(`unknown bus ${kind}`);
}

export const clock = (): number => performance.timeOrigin + performance.now();

if (process.argv[1]?.endsWith("bus-child.ts")) {
  const [kind = "", json = "{}"] = process.argv.slice(2);
  const bus = makeBus(kind, JSON.parse(json));
  const heard: number[] = [];
  await bus.connect();
  await bus.subscribe("bench:ping", async (e) => {
    heard.push(clock() - (e.payload.sent as number));
    await bus.publish(
      "bench:pong",
      new Event({ type: EventType.CUSTOM, topic: "bench:pong", payload: { i: e.payload.i } }),
    );
  });
  await bus.subscribe("bench:done", async () => {
    process.stdout.write(`${JSON.stringify(heard)}\n`);
    await bus.close();
    process.exit(0);
  });
  // The file bus's watch and poll do not hold the process open: stdin does, until the bench
  // closes it (or ends).
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
  process.stdout.write("ready\n");
}
