/**
 * `loadEnvironment` with the file system and `process.env` as defaults.
 * @module
 */
import { readFile } from "node:fs/promises";
import {
  type EnvironmentConfig,
  type LoadEnvironmentOptions,
  loadEnvironment as loadWith,
} from "../../core/config/environment.ts";

/** Reads a UTF-8 file; `null` when it does not exist. */
export async function readTextFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Loads `<dir>/<name>.yaml|yml|json` from disk; the name defaults to the one detected from
 * `process.env` (`BOTKNOBS_ENVIRONMENT`, cloud markers, else `development`).
 * @example
 * const env = await loadEnvironment("production", { dir: "configs/environments" });
 */
export function loadEnvironment(
  name?: string,
  options: LoadEnvironmentOptions = {},
): Promise<EnvironmentConfig> {
  return loadWith(name, { env: process.env, readText: readTextFile, ...options });
}
