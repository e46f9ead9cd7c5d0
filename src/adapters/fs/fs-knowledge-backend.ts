/**
 * The file knowledge backend (`createKnowledgeBackend("file", { path })`): the seed's layout on
 * disk, `<path>/<domain>/_metadata.json` + `<path>/<domain>/<file path>`.
 * @module
 */
import * as z from "zod/mini";
import {
  BlobKnowledgeBackend,
  type BlobKnowledgeBackendOptions,
} from "../../core/knowledge/store/blob-backend.ts";
import {
  coreKnowledgeBackends,
  createKnowledgeBackend as createWith,
} from "../../core/knowledge/store/factory.ts";
import type { KnowledgeResourceBackend } from "../../core/knowledge/store/types.ts";
import type { FactoryTable } from "../../core/util/factory.ts";
import { lazyS3Entries } from "../s3/s3-lazy.ts";
import { FsBlobStore } from "./fs-blob-store.ts";

/**
 * Knowledge files in a directory (default `./data/knowledge`).
 * @example
 * const backend = new FileKnowledgeBackend({ path: "./data/kb" });
 */
export class FileKnowledgeBackend extends BlobKnowledgeBackend {
  constructor(
    options: { path?: string } & Omit<BlobKnowledgeBackendOptions, "store" | "prefix"> = {},
  ) {
    const { path = "./data/knowledge", ...rest } = options;
    super({ ...rest, store: new FsBlobStore({ root: path }) });
  }
}

/** The knowledge backend types `botknobs/node` knows: the core's, `file` and `s3` (loaded on first use). */
export const nodeKnowledgeBackends: FactoryTable<KnowledgeResourceBackend> = {
  ...coreKnowledgeBackends,
  file: {
    schema: z.strictObject({ path: z.optional(z.string().check(z.minLength(1))) }),
    create: (config) =>
      new FileKnowledgeBackend(config.path === undefined ? {} : { path: config.path as string }),
  },
  s3: lazyS3Entries.knowledge,
};

/**
 * `createKnowledgeBackend` knowing `memory`, `file` and `s3` (see `botknobs/s3`'s
 * `createKnowledgeBackend`).
 * @example
 * const backend = createKnowledgeBackend("file", { path: "./data/knowledge" });
 */
export function createKnowledgeBackend(
  type: string,
  config: Record<string, unknown> = {},
): KnowledgeResourceBackend {
  return createWith(type, config, nodeKnowledgeBackends);
}
