/**
 * The `yaml` package, loaded on first use. It is the largest dependency of the core (about 30 KB
 * gzip in a browser bundle), needed only when a YAML file, YAML front matter beyond the flat
 * `key: value` subset, or a YAML environment is read; a dynamic import lets bundlers put it in a
 * chunk of its own that is fetched then.
 * @module
 */

/** The `yaml` package's module namespace. */
export type YamlModule = typeof import("yaml");

let pending: Promise<YamlModule> | undefined;

/**
 * The `yaml` module, imported once; a failed import is tried again on the next call.
 * @example
 * const { parse } = await loadYaml();
 * parse("a: 1"); // { a: 1 }
 */
export function loadYaml(): Promise<YamlModule> {
  pending ??= import("yaml").catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
