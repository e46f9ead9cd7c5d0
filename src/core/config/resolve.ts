/**
 * Config resolution: `$resource` references from an environment, then `${VAR}` / `${VAR:default}`.
 * No path normalisation of strings (the original's `expanduser` round-trip turned `http://x` into
 * `http:/x`; that is not reproduced).
 * @module
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import type { EnvironmentConfig, EnvVars, ResourceConfig } from "./environment.ts";

// The variable name runs to the first ':'; the default may itself contain ':'.
const VAR = /\$\{([^}:]+)(?::([^}]*))?\}/g;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Substitutes `${VAR}` and `${VAR:default}` in every string leaf. A set variable wins even when
 * empty; an unset one without a default → `ValidationError` naming it. Non-strings are untouched.
 */
export function substituteEnvVars<V>(value: V, env: EnvVars = {}): V {
  if (typeof value === "string") {
    return value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      const set = Object.hasOwn(env, name) ? env[name] : undefined;
      if (set !== undefined) return set;
      if (fallback !== undefined) return fallback;
      throw new ValidationError(`Required environment variable not set: ${name}`, [
        { path: [name], message: "not set and no default" },
      ]);
    }) as V;
  }
  if (Array.isArray(value)) return value.map((v) => substituteEnvVars(v, env)) as V;
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnvVars(v, env);
    return out as V;
  }
  return value;
}

/** Options of {@link resolveResources}. */
export interface ResolveResourcesOptions {
  /** A reference to a missing resource without inline defaults throws (default true); else resolves to `{}`. */
  strict?: boolean;
}

/**
 * Replaces every `{ $resource: name, type?: "default", ...defaults }` with the environment's
 * `resources[type][name]`, inline keys filling what the environment lacks, recursively.
 */
export function resolveResources<V>(
  value: V,
  environment: EnvironmentConfig,
  options: ResolveResourcesOptions = {},
): V {
  const strict = options.strict ?? true;
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 32)
      throw new ValidationError("$resource references nest deeper than 32 levels (a cycle?)");
    if (Array.isArray(v)) return v.map((x) => walk(x, depth));
    if (!isObject(v)) return v;
    if (typeof v.$resource === "string") {
      const {
        $resource: name,
        type = "default",
        ...defaults
      } = v as ResourceConfig & { $resource: string; type?: string };
      const hasDefaults = Object.keys(defaults).length > 0;
      let resolved: ResourceConfig;
      try {
        resolved = environment.getResource(
          String(type),
          name,
          hasDefaults || !strict ? defaults : undefined,
        );
      } catch (error) {
        if (error instanceof NotFoundError) {
          throw new ValidationError(
            error.message,
            [{ path: ["$resource"], message: error.message }],
            { cause: error },
          );
        }
        throw error;
      }
      return walk(resolved, depth + 1);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth);
    return out;
  };
  return walk(value, 0) as V;
}

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions extends ResolveResourcesOptions {
  /** Variables for `${VAR}` substitution; the core never reads `process.env` itself. */
  env?: EnvVars;
}

/**
 * Resolves a portable config for use: `$resource` references (when an environment is given),
 * then `${VAR:default}` substitution over the whole result.
 * @example
 * resolveConfig({ db: { $resource: "registry", type: "databases" } }, env, { env: process.env })
 */
export function resolveConfig<V>(
  config: V,
  environment?: EnvironmentConfig | null,
  options: ResolveConfigOptions = {},
): V {
  const withResources = environment
    ? resolveResources(config, environment, options)
    : structuredClone(config);
  return substituteEnvVars(withResources, options.env ?? {});
}
