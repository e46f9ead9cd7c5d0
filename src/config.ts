/**
 * Configuration: environments, `$resource` references and `${VAR:default}` substitution.
 * @module
 */
export {
  detectEnvironment,
  EnvironmentConfig,
  type EnvironmentDict,
  type EnvVars,
  type LoadEnvironmentOptions,
  loadEnvironment,
  type ReadText,
  type ResourceConfig,
} from "./core/config/environment.ts";
export {
  type ResolveConfigOptions,
  type ResolveResourcesOptions,
  resolveConfig,
  resolveResources,
  substituteEnvVars,
} from "./core/config/resolve.ts";
