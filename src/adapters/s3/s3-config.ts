/**
 * The seed's `s3` configuration (`bucket`, `prefix`, `endpoint_url`, `region`, `access_key_id`,
 * `secret_access_key`, `force_path_style`; `endpoint` and `path_style` are accepted as their
 * short names) and the factory entries built on it — for the knowledge backend, the
 * registry and the registry's record store — over a store maker, so `botknobs/s3` builds an
 * {@link S3BlobStore} at once and `botknobs/node` one that loads on first use. This file loads
 * no S3 code itself.
 * @module
 */
import * as z from "zod/mini";
import type { BlobStore } from "../../core/blob/types.ts";
import { ValidationError } from "../../core/errors.ts";
import { BlobKnowledgeBackend } from "../../core/knowledge/store/blob-backend.ts";
import type { KnowledgeResourceBackend } from "../../core/knowledge/store/types.ts";
import { BlobRecordStore } from "../../core/registry/blob-record-store.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import { StoreRegistryBackend } from "../../core/registry/store-backend.ts";
import type { RegistryBackend } from "../../core/registry/types.ts";
import type { FactoryEntry } from "../../core/util/factory.ts";
import type { S3BlobStoreOptions } from "./s3-blob-store.ts";

const text = z.string().check(z.minLength(1));
const url = text.check(z.regex(/^https?:\/\/[^/]/, "expected an http(s) URL"));

/** Each option of the store and the configuration keys that may give it (the first is the seed's). */
const OPTIONAL: [keyof S3BlobStoreOptions, ...string[]][] = [
  ["endpoint", "endpoint_url", "endpoint"],
  ["region", "region"],
  ["sessionToken", "session_token"],
  ["pathStyle", "force_path_style", "path_style"],
  ["conditionalWrites", "conditional_writes"],
];

/** The keys of every `s3` type; `history_limit` only where a registry is made. */
const keys = {
  bucket: text,
  /** Where under the bucket: the registry keeps `registry/` by default, knowledge the root. */
  prefix: z.optional(z.string()),
  /** The server's URL for an S3-compatible service (the seed's and API.md's name). */
  endpoint_url: z.optional(url),
  /** The short name of `endpoint_url`; giving both is refused. */
  endpoint: z.optional(url),
  region: z.optional(text),
  access_key_id: text,
  secret_access_key: text,
  session_token: z.optional(text),
  /** Path-style URLs (`endpoint/bucket/key`), as most S3-compatible servers need. */
  force_path_style: z.optional(z.boolean()),
  /** The short name of `force_path_style`; giving both is refused. */
  path_style: z.optional(z.boolean()),
  conditional_writes: z.optional(z.boolean()),
  /** Only this process writes: needed on a server without conditional writes. */
  single_writer: z.optional(z.boolean()),
};

const storeSchema = z.strictObject(keys) as unknown as z.ZodMiniType<Record<string, unknown>>;
const registrySchema = z.strictObject({
  ...keys,
  history_limit: z.optional(z.int().check(z.minimum(1))),
}) as unknown as z.ZodMiniType<Record<string, unknown>>;

/**
 * The options of the S3 store a checked configuration names. A key given under both of its names
 * (`endpoint_url` and `endpoint`, `force_path_style` and `path_style`) is a `ValidationError`.
 */
export function s3StoreOptions(config: Record<string, unknown>): S3BlobStoreOptions {
  const options: Record<string, unknown> = {
    bucket: config.bucket,
    accessKeyId: config.access_key_id,
    secretAccessKey: config.secret_access_key,
  };
  for (const [name, ...names] of OPTIONAL) {
    const given = names.filter((key) => config[key] !== undefined);
    if (given.length > 1)
      throw new ValidationError(`Invalid s3 configuration: give ${given.join(" or ")}, not both`, [
        { path: [given[1] as string], message: `the same as ${given[0]}` },
      ]);
    if (given[0] !== undefined) options[name] = config[given[0]];
  }
  return options as unknown as S3BlobStoreOptions;
}

/** Makes the blob store of a configuration. */
export type S3StoreMaker = (options: S3BlobStoreOptions) => BlobStore;

/** The `s3` entries of the three factory tables, over a store maker. */
export interface S3Entries {
  knowledge: FactoryEntry<KnowledgeResourceBackend>;
  registry: FactoryEntry<RegistryBackend>;
  recordStore: FactoryEntry<RecordStore>;
}

/**
 * The `s3` factory entries: `BlobKnowledgeBackend`, `StoreRegistryBackend` and `BlobRecordStore`
 * over the store `make` builds from the configuration.
 * @example
 * const entries = s3Entries((options) => new S3BlobStore(options));
 */
export function s3Entries(make: S3StoreMaker): S3Entries {
  const records = (config: Record<string, unknown>): BlobRecordStore =>
    new BlobRecordStore({
      store: make(s3StoreOptions(config)),
      ...(config.prefix === undefined ? {} : { prefix: config.prefix as string }),
      singleWriter: config.single_writer === true,
    });
  return {
    knowledge: {
      schema: storeSchema,
      create: (config) =>
        new BlobKnowledgeBackend({
          store: make(s3StoreOptions(config)),
          ...(config.prefix === undefined ? {} : { prefix: config.prefix as string }),
          singleWriter: config.single_writer === true,
        }),
    },
    registry: {
      schema: registrySchema,
      create: (config) =>
        new StoreRegistryBackend({
          store: records(config),
          historyLimit: config.history_limit as number | undefined,
        }),
    },
    recordStore: { schema: storeSchema, create: records },
  };
}
