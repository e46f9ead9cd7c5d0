/**
 * The managers the caching suite drives: {@link RecordingManager} records every creation and
 * destruction of its {@link TestBot}s.
 * @module
 */
import {
  CachingRegistryManager,
  type CachingRegistryManagerOptions,
} from "../core/caching/caching-manager.ts";
import type { JsonObject } from "../core/validate.ts";

/** A {@link RecordingManager} class: itself or a subclass. */
export type RecordingManagerClass = new (
  options: CachingRegistryManagerOptions,
) => RecordingManager;

/** A bot instance that records its life. */
export class TestBot {
  static created = 0;
  readonly serial: number = ++TestBot.created;
  destroyed = 0;
  readonly botId: string;
  readonly config: JsonObject;
  constructor(botId: string, config: JsonObject) {
    this.botId = botId;
    this.config = config;
  }
}

/** A manager that records every creation and destruction. */
export class RecordingManager extends CachingRegistryManager<TestBot> {
  readonly created: TestBot[] = [];
  /** When set, `createInstance` waits for it (to hold a creation in flight). */
  gate: Promise<void> | undefined;
  /** Per-id gates, read when the call starts. */
  readonly gates: Map<string, Promise<void>> = new Map();
  failDestroy = false;

  protected async createInstance(botId: string, config: JsonObject): Promise<TestBot> {
    const gate = this.gates.get(botId) ?? this.gate;
    if (gate) await gate;
    const bot = new TestBot(botId, config);
    this.created.push(bot);
    return bot;
  }

  protected override async destroyInstance(bot: TestBot): Promise<void> {
    bot.destroyed++;
    if (this.failDestroy) throw new Error("destroy failed");
  }
}
