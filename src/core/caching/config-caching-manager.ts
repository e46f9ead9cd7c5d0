/**
 * {@link ConfigCachingManager}: caches resolved configurations rather than bot instances.
 * @module
 */
import type { EnvironmentConfig, EnvVars } from "../config/environment.ts";
import { resolveConfig } from "../config/resolve.ts";
import type { Registration } from "../registry/registration.ts";
import type { JsonObject } from "../validate.ts";
import {
  CachingRegistryManager,
  type CachingRegistryManagerOptions,
  type GetOrCreateOptions,
} from "./caching-manager.ts";

/** A bot's config resolved for this environment, with the raw form and the version it came from. */
export class ResolvedConfig {
  readonly botId: string;
  /** The resolved config (`$resource` references and `${VAR}` substituted). */
  readonly config: JsonObject;
  /** The config as stored. */
  readonly rawConfig: JsonObject;
  readonly version: number;
  readonly etag: string;
  readonly environmentName: string | null;

  constructor(init: {
    botId: string;
    config: JsonObject;
    rawConfig: JsonObject;
    version: number;
    etag: string;
    environmentName: string | null;
  }) {
    this.botId = init.botId;
    this.config = init.config;
    this.rawConfig = init.rawConfig;
    this.version = init.version;
    this.etag = init.etag;
    this.environmentName = init.environmentName;
  }

  /** The original's name for {@link ResolvedConfig.config}. */
  get resolvedConfig(): JsonObject {
    return this.config;
  }

  /** A top-level key of the resolved config, or `fallback`. */
  get<V = unknown>(key: string, fallback?: V): V | undefined {
    return Object.hasOwn(this.config, key) ? (this.config[key] as V) : fallback;
  }

  /** A deep copy of the resolved config. */
  toDict(): JsonObject {
    return structuredClone(this.config);
  }
}

/** Options of {@link ConfigCachingManager}. */
export interface ConfigCachingManagerOptions extends CachingRegistryManagerOptions {
  /** Where `$resource` references point; without one they are left as they are. */
  environment?: EnvironmentConfig;
  /** Resolve only `config[configKey]` when present (e.g. `"bot"`); `rawConfig` keeps the whole. */
  configKey?: string;
  /** Variables for `${VAR}` substitution. */
  env?: EnvVars;
  /** A reference to a missing resource without inline defaults throws (default true). */
  strictResources?: boolean;
}

/**
 * Caches {@link ResolvedConfig}s with the same TTL, LRU and invalidation as bot instances.
 * @example
 * const manager = new ConfigCachingManager({ backend, cacheTtl: 300 });
 * const resolved = await manager.get("my-bot");
 * resolved.config; resolved.version;
 */
export class ConfigCachingManager extends CachingRegistryManager<ResolvedConfig> {
  readonly environment: EnvironmentConfig | undefined;
  readonly #configKey: string | undefined;
  readonly #env: EnvVars;
  readonly #strict: boolean;

  constructor(options: ConfigCachingManagerOptions) {
    super(options);
    this.environment = options.environment;
    this.#configKey = options.configKey;
    this.#env = options.env ?? {};
    this.#strict = options.strictResources ?? true;
  }

  /** The environment's name, or `null`. */
  get environmentName(): string | null {
    return this.environment?.name ?? null;
  }

  protected createInstance(
    botId: string,
    config: JsonObject,
    registration: Registration,
  ): ResolvedConfig {
    const key = this.#configKey;
    const part =
      key !== undefined && Object.hasOwn(config, key) ? (config[key] as JsonObject) : config;
    return new ResolvedConfig({
      botId,
      config: resolveConfig(part, this.environment, { env: this.#env, strict: this.#strict }),
      rawConfig: structuredClone(config),
      version: registration.version,
      etag: registration.etag,
      environmentName: this.environmentName,
    });
  }

  /**
   * The resolved config (the seed's `get`; same as `getOrCreate`): of the version `label`
   * serves when one is given (for `key`, when it splits); its `version` says which.
   */
  get(botId: string, options?: GetOrCreateOptions): Promise<ResolvedConfig> {
    return this.getOrCreate(botId, options);
  }

  /** A deep copy of the resolved config. */
  async getResolvedConfig(botId: string): Promise<JsonObject> {
    return (await this.getOrCreate(botId)).toDict();
  }

  /** The stored config, bypassing the cache (and not filling it). */
  getRawConfig(botId: string): Promise<JsonObject | null> {
    return this.backend.peekConfig(botId);
  }
}
