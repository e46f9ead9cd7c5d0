/**
 * Where a command acts: a running server (`--server URL`, or `BOTKNOBS_SERVER`; token from
 * `BOTKNOBS_TOKEN`) or a data folder (`--data DIR`, or `BOTKNOBS_DATA`, else `./data` — the
 * folder `botknobs serve` keeps), opened in this process through the same API. A server on the
 * same folder hears the writes (the folder's event log), as it hears another server's.
 * @module
 */
import { existsSync } from "node:fs";
import process from "node:process";
import type { PutFileEntry } from "../core/knowledge/store/types.ts";
import { Api } from "./api.ts";
import type { OptionSpecs, Parsed } from "./args.ts";
import { stringOption } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";

/** `--server`, `--data` and `--store`, which every command on a target takes. */
export const TARGET_OPTIONS: OptionSpecs = {
  server: { type: "string" },
  data: { type: "string" },
  store: { type: "string" },
};

/** The help lines of {@link TARGET_OPTIONS}. */
export const TARGET_HELP = `  --server URL   a running botknobs server (or BOTKNOBS_SERVER); its token from BOTKNOBS_TOKEN
  --data DIR     a data folder, as \`botknobs serve\` keeps it (or BOTKNOBS_DATA; default ./data)
  --store S      how the folder keeps its registry: sqlite, file or auto (or BOTKNOBS_STORE; as serve)`;

/** An opened target: its API, and what to close when done. */
export interface Target {
  api: Api;
  /** `server http://…` or `data folder /…`. */
  where: string;
  /** The data folder, when the target is one. */
  dataPath?: string;
  /**
   * Uploads many small files in one write of the knowledge base (a data folder: one update of
   * its manifest for the lot, where a `PUT` per file makes one each — several times slower).
   * Absent for a server, whose API takes one file per request.
   */
  putFiles?(kb: string, files: PutFileEntry[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The data folder a command names: `--data`, else BOTKNOBS_DATA, else `./data`.
 * @example
 * const dir = dataFolder(values);
 */
export function dataFolder(values: Parsed["values"]): string {
  return stringOption(values, "data") ?? (process.env.BOTKNOBS_DATA || "./data");
}

/**
 * Opens the target `values` name. `create`: a data folder that is not there yet is made (an
 * ingestion into a new folder); otherwise a missing folder is an error naming the fix.
 * @example
 * const target = await openTarget(values, { create: false });
 * try { console.log(await target.api.listBots()) } finally { await target.close() }
 */
export async function openTarget(
  values: Parsed["values"],
  options: { create: boolean },
): Promise<Target> {
  const flagServer = stringOption(values, "server");
  const flagData = stringOption(values, "data");
  if (flagServer !== undefined && flagData !== undefined)
    throw new CliError(
      "give --server URL or --data DIR, not both: a command acts on one of them",
      EXIT.USAGE,
    );
  const server = flagServer ?? (flagData === undefined ? process.env.BOTKNOBS_SERVER : undefined);
  if (server) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      url = new URL("invalid:");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new CliError(
        `invalid server ${JSON.stringify(server)}: an http:// or https:// URL, such as http://127.0.0.1:8787`,
        EXIT.USAGE,
      );
    const token = process.env.BOTKNOBS_TOKEN || undefined;
    const api = new Api(url.href, (request) => fetch(request), token);
    return { api, where: api.where, close: async () => {} };
  }
  const path = dataFolder(values);
  if (!options.create && !existsSync(path))
    throw new CliError(
      `no data folder at ${path}: give --data DIR (the folder \`botknobs serve\` keeps) or --server URL`,
      EXIT.USAGE,
    );
  const { openDataApp } = await import("./data-app.ts");
  const { app, notes } = await openDataApp(path, {}, stringOption(values, "store"));
  // A migration or the reason for files, as serve says it: on stderr, so --json stays clean.
  for (const note of notes) process.stderr.write(`${note}\n`);
  const where = `data folder ${app.path}`;
  // The app's own fetch, in this process: no port, no token (whoever can read the folder can).
  const api = new Api(
    "http://botknobs.local",
    (request) => app.app.fetch(request),
    undefined,
    where,
  );
  return {
    api,
    where,
    dataPath: app.path,
    async putFiles(kb, files) {
      await app.knowledge.putFiles(kb, files);
    },
    async close() {
      await app.eventBus.close();
      await app.registry.close();
      await app.knowledge.close();
    },
  };
}

/**
 * Runs `fn` on the target `values` name, closing it afterwards.
 * @example
 * await withTarget(values, { create: false }, (t) => t.api.listKbs());
 */
export async function withTarget<T>(
  values: Parsed["values"],
  options: { create: boolean },
  fn: (target: Target) => Promise<T>,
): Promise<T> {
  const target = await openTarget(values, options);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}
