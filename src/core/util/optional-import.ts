/**
 * {@link optionalImport}: a package an adapter needs only when it is used (an optional peer
 * dependency: the `redis` and `postgres` clients), imported on first use, once.
 * @module
 */
import { AdapterError, errorMessage } from "../errors.ts";

const loaded = new Map<string, Promise<unknown>>();

/**
 * Imports `name` once; a package that is not installed is an `AdapterError` of `adapter` saying
 * what to install. The specifier is a variable, so bundlers leave the package out of code that
 * never calls this.
 * @example
 * const redis = await optionalImport<RedisModuleLike>("redis", "redis", "npm install redis@5");
 */
export function optionalImport<T>(name: string, adapter: string, install: string): Promise<T> {
  let pending = loaded.get(name);
  if (!pending) {
    pending = import(name).catch((error: unknown) => {
      loaded.delete(name);
      throw new AdapterError(
        adapter,
        `could not load the ${name} package (${install}): ${errorMessage(error)}`,
        { cause: error },
      );
    });
    loaded.set(name, pending);
  }
  return pending as Promise<T>;
}
