/**
 * Environments: named sets of resources (`databases`, `event_buses`, `knowledge`, …) and settings,
 * read from `<dir>/<name>.yaml|yml|json`. The core never reads globals: the variables map and the
 * file reader are passed in (`botknobs/node` passes `process.env` and the file system).
 * @module
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import { loadYaml } from "../util/yaml.ts";

/** A resource's configuration, e.g. `{ backend: "postgres", host: "${RDS_HOST}" }`. */
export type ResourceConfig = Record<string, unknown>;

/** The serialised form of an environment. */
export interface EnvironmentDict {
  name: string;
  description?: string;
  resources?: Record<string, Record<string, ResourceConfig> | ResourceConfig>;
  settings?: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A named environment: `resources[type][name]` configs and free settings.
 * @example
 * const env = EnvironmentConfig.fromDict({ name: "dev", resources: { databases: { registry: { backend: "memory" } } } });
 * env.getResource("databases", "registry"); // { backend: "memory" }
 */
export class EnvironmentConfig {
  readonly name: string;
  readonly description: string;
  readonly resources: Record<string, Record<string, ResourceConfig> | ResourceConfig>;
  readonly settings: Record<string, unknown>;

  constructor(data: EnvironmentDict) {
    this.name = data.name;
    this.description = data.description ?? "";
    this.resources = data.resources ?? {};
    this.settings = data.settings ?? {};
  }

  /** Reads the serialised form; the name defaults to `"unknown"`. */
  static fromDict(data: Partial<EnvironmentDict>): EnvironmentConfig {
    if (!isObject(data)) throw new ValidationError("An environment must be an object");
    if (data.resources !== undefined && !isObject(data.resources)) {
      throw new ValidationError(
        "Invalid environment resources: expected an object of resource types",
        [{ path: ["resources"], message: "expected an object" }],
      );
    }
    return new EnvironmentConfig({
      ...data,
      name: typeof data.name === "string" ? data.name : "unknown",
    });
  }

  /**
   * The `resources[type]` table. When it is itself a resource config (the seed writes
   * `knowledge: { backend: file, path: … }`), it is served as the one resource of that type,
   * under the name of the type and under `"default"`.
   */
  #table(type: string): Record<string, ResourceConfig> | undefined {
    const table = Object.hasOwn(this.resources, type) ? this.resources[type] : undefined;
    if (!isObject(table)) return undefined;
    const values = Object.values(table);
    if (values.length > 0 && values.every(isObject)) return table as Record<string, ResourceConfig>;
    return { [type]: table, default: table };
  }

  /** True when `resources[type][name]` exists. */
  hasResource(type: string, name: string): boolean {
    const table = this.#table(type);
    return !!table && Object.hasOwn(table, name);
  }

  /**
   * A copy of `resources[type][name]`, with `defaults` filling missing keys (the environment wins).
   * Missing and no defaults → `NotFoundError`.
   */
  getResource(type: string, name: string, defaults?: ResourceConfig): ResourceConfig {
    const table = this.#table(type);
    if (table && Object.hasOwn(table, name))
      return { ...defaults, ...structuredClone(table[name]) };
    if (defaults !== undefined) return structuredClone(defaults);
    throw new NotFoundError(
      `Resource '${name}' of type '${type}' not found in environment '${this.name}'`,
    );
  }

  /** The resource types present. */
  getResourceTypes(): string[] {
    return Object.keys(this.resources);
  }

  /** The resource names of a type. */
  getResourceNames(type: string): string[] {
    const table = this.resources[type];
    if (!isObject(table)) return [];
    const values = Object.values(table);
    return values.length > 0 && values.every(isObject) ? Object.keys(table) : [type];
  }

  /** A setting, or `fallback`. */
  getSetting<V = unknown>(key: string, fallback?: V): V | undefined {
    return Object.hasOwn(this.settings, key) ? (this.settings[key] as V) : fallback;
  }

  /** A new environment: `other`'s name, resources shallow-merged per type, settings merged. */
  merge(other: EnvironmentConfig): EnvironmentConfig {
    const resources: EnvironmentDict["resources"] = structuredClone(this.resources);
    for (const [type, table] of Object.entries(other.resources)) {
      resources[type] = { ...(resources[type] ?? {}), ...structuredClone(table) };
    }
    return new EnvironmentConfig({
      name: other.name,
      description: other.description || this.description,
      resources,
      settings: { ...this.settings, ...other.settings },
    });
  }

  /** The serialised form (a deep copy; empty parts omitted). */
  toDict(): EnvironmentDict {
    const out: EnvironmentDict = { name: this.name };
    if (this.description) out.description = this.description;
    if (Object.keys(this.resources).length) out.resources = structuredClone(this.resources);
    if (Object.keys(this.settings).length) out.settings = structuredClone(this.settings);
    return out;
  }
}

/** Environment variables, passed in explicitly (Workers `env`, `process.env`, `Deno.env.toObject()`). */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/**
 * The environment name: `BOTKNOBS_ENVIRONMENT` or `DATAKNOBS_ENVIRONMENT` (lower-cased); on a
 * cloud platform (Lambda, ECS, Kubernetes, Cloud Run, Azure Functions) `ENVIRONMENT` or
 * `"production"`; otherwise `"development"`.
 */
export function detectEnvironment(env: EnvVars = {}): string {
  const explicit = env.BOTKNOBS_ENVIRONMENT ?? env.DATAKNOBS_ENVIRONMENT;
  if (explicit) return explicit.toLowerCase();
  const cloud = [
    "AWS_EXECUTION_ENV",
    "ECS_CONTAINER_METADATA_URI",
    "KUBERNETES_SERVICE_HOST",
    "K_SERVICE",
    "FUNCTIONS_WORKER_RUNTIME",
  ];
  if (cloud.some((k) => env[k])) return (env.ENVIRONMENT ?? "production").toLowerCase();
  return "development";
}

/** Reads a text file; `null` when it does not exist. */
export type ReadText = (path: string) => Promise<string | null>;

/** Options of {@link loadEnvironment}. */
export interface LoadEnvironmentOptions {
  /** The directory of environment files (default `"config/environments"`). */
  dir?: string;
  /** Variables, for name detection. */
  env?: EnvVars;
  /** How to read a file; `botknobs/node` supplies the file system. Required in the core. */
  readText?: ReadText;
}

/**
 * Loads `<dir>/<name>.yaml`, `.yml` or `.json` (the first found). No file → an empty environment of
 * that name; a parse error or a non-object → `ValidationError`. `${VAR}` placeholders are kept:
 * they are substituted when a config is resolved.
 */
export async function loadEnvironment(
  name?: string,
  options: LoadEnvironmentOptions = {},
): Promise<EnvironmentConfig> {
  const envName = name ?? detectEnvironment(options.env);
  const dir = (options.dir ?? "config/environments").replace(/\/+$/, "");
  const readText = options.readText;
  if (!readText) {
    throw new ValidationError(
      "loadEnvironment needs a readText function here (botknobs/node provides one)",
    );
  }
  for (const ext of ["yaml", "yml", "json"]) {
    const path = `${dir}/${envName}.${ext}`;
    const text = await readText(path);
    if (text === null) continue;
    const yaml = ext === "json" ? undefined : await loadYaml();
    let data: unknown;
    try {
      data = yaml ? yaml.parse(text, { maxAliasCount: 100 }) : JSON.parse(text);
    } catch (error) {
      throw new ValidationError(
        `Invalid environment file ${path}: ${(error as Error).message}`,
        [],
        { cause: error },
      );
    }
    if (!isObject(data))
      throw new ValidationError(`Invalid environment file ${path}: expected an object at the top`);
    return EnvironmentConfig.fromDict({
      ...data,
      name: typeof data.name === "string" ? data.name : envName,
    });
  }
  return new EnvironmentConfig({ name: envName });
}
