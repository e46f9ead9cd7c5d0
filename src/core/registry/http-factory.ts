/**
 * The `http` type of `createRegistryBackend`: `createRegistryBackend("http", { base_url, … })`
 * with the seed's configuration keys.
 * @module
 */
import * as z from "zod/mini";
import { type FactoryEntry, type FactoryTable, renameKeys } from "../util/factory.ts";
import { HTTPRegistryBackend, type HTTPRegistryBackendOptions } from "./http-backend.ts";
import type { RegistryBackend } from "./types.ts";

const schema = z.strictObject({
  base_url: z.string().check(z.regex(/^https?:\/\/\S+$/i, "expected an http(s) URL")),
  auth_token: z.optional(z.string()),
  auth_header: z.optional(z.string()),
  timeout: z.optional(z.number().check(z.positive())),
  read_only: z.optional(z.boolean()),
  resource_path: z.optional(z.string()),
});

/**
 * The factory entry of {@link HTTPRegistryBackend}. Keys: `base_url` (required), `auth_token`,
 * `auth_header`, `timeout` (seconds), `read_only`, `resource_path`; unknown keys are rejected.
 * @example
 * createRegistryBackend("http", { base_url: "https://bots.example.com", auth_token: "s3cret" }, { http: httpRegistryEntry });
 */
export const httpRegistryEntry: FactoryEntry<RegistryBackend> = {
  schema: schema as unknown as z.ZodMiniType<Record<string, unknown>>,
  create: (config) =>
    new HTTPRegistryBackend(
      renameKeys<HTTPRegistryBackendOptions>(config, {
        base_url: "baseUrl",
        auth_token: "authToken",
        auth_header: "authHeader",
        timeout: "timeout",
        read_only: "readOnly",
        resource_path: "resourcePath",
      }),
    ),
};

/**
 * The registry types this module adds to a factory table: `{ http }`.
 * @example
 * const table = { ...coreRegistryBackends, ...httpRegistryBackends };
 * const backend = createRegistryBackend("http", { base_url: "http://127.0.0.1:8787" }, table);
 */
export const httpRegistryBackends: FactoryTable<RegistryBackend> = { http: httpRegistryEntry };
