/**
 * The seed's first complete example, "Bot Manager with Caching and Hot Reload", in TypeScript.
 *
 * Run it: `npm start`, `npx tsx examples/bot-manager.ts`, `deno run examples/bot-manager.ts`
 * or `bun examples/bot-manager.ts`. In your own project, import from "botknobs".
 *
 * Unlike the original (which printed the stale bot, see original-behaviour.md C7), the bot
 * fetched after the update event is built from the new config.
 */
import {
  CachingRegistryManager,
  createEventBus,
  Event,
  EventType,
  HotReloadManager,
  InMemoryBackend,
  type JsonObject,
  ReloadMode,
} from "../src/index.ts";

class Bot {
  readonly botId: string;
  readonly config: JsonObject;
  constructor(botId: string, config: JsonObject) {
    this.botId = botId;
    this.config = config;
  }

  async chat(message: string): Promise<string> {
    const model = (this.config.llm as { model?: string } | undefined)?.model;
    return `Bot ${this.botId} (${model}) received: ${message}`;
  }

  async close(): Promise<void> {}
}

class BotManager extends CachingRegistryManager<Bot> {
  protected async createInstance(botId: string, config: JsonObject): Promise<Bot> {
    return new Bot(botId, config);
  }

  protected override async destroyInstance(instance: Bot): Promise<void> {
    await instance.close();
  }
}

/** Runs the example; returns the lines it printed. */
export async function main(log: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    log(line);
  };

  // Setup event bus
  const eventBus = createEventBus({ backend: "memory" });
  await eventBus.connect();

  // Setup registry backend
  const backend = new InMemoryBackend();
  await backend.initialize();

  // Register a bot config
  await backend.register("support-bot", {
    llm: { provider: "anthropic", model: "claude-3-sonnet" },
    system_prompt: "You are a helpful support agent.",
  });
  say("registered support-bot (claude-3-sonnet)");

  // Create bot manager with caching
  const manager = new BotManager({ backend, eventBus, cacheTtl: 300 });
  await manager.initialize();

  // Setup hot reload
  const hotReload = new HotReloadManager({
    backend,
    cachingManager: manager,
    eventBus,
    mode: ReloadMode.EVENT_DRIVEN,
  });
  await hotReload.initialize();

  // Get bot (creates and caches)
  let bot = await manager.getOrCreate("support-bot");
  say(await bot.chat("Hello!"));

  // Update config - hot reload will invalidate cache
  await backend.update("support-bot", {
    llm: { provider: "anthropic", model: "claude-3-opus" },
    system_prompt: "You are a helpful support agent.",
  });
  say("updated support-bot to claude-3-opus");

  // Publish update event (triggers invalidation)
  await eventBus.publish(
    "registry:bots",
    new Event({
      type: EventType.UPDATED,
      topic: "registry:bots",
      payload: { bot_id: "support-bot" },
    }),
  );

  // Small delay for event processing (the memory bus delivers before publish resolves; kept from the seed)
  await new Promise((resolve) => setTimeout(resolve, 100));

  // Next getOrCreate creates a new bot with the updated config
  bot = await manager.getOrCreate("support-bot");
  say(await bot.chat("Hello again!"));
  const stats = manager.getCacheStats();
  say(
    `cache: ${stats.size} cached, ${stats.hits} hits, ${stats.misses} misses, ${stats.creations} creations`,
  );

  // Cleanup
  await hotReload.shutdown();
  await manager.close();
  await eventBus.close();
  return lines;
}

// Run directly (Deno and Bun set import.meta.main; under Node, compare with the script path).
const meta = import.meta as ImportMeta & { main?: boolean };
const argv1 = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1];
if (meta.main ?? (argv1 !== undefined && meta.url === `file://${argv1}`)) await main();
