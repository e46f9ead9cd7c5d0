/**
 * `botknobs export NAME OUT/`: a knowledge base's persisted search index as static files — its
 * head and segments under the keys the index keeps them at (`<name>/.botknobs/<generation>/
 * index/…`), so that a read-only blob store over any static host (plain GETs, with ranges) serves
 * them to a `BlobSearchIndex` as they are; and `botknobs-export.json` beside them naming the
 * knowledge base, its generation, the head and every file with its size and SHA-256. Each
 * segment is checked against the head's checksum as it is copied. It reads a data folder.
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { BlobStore } from "../core/blob/types.ts";
import type { IndexHead } from "../core/knowledge/index/blob-search-index.ts";
import { type Command, stringOption } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import { formatBytes, formatCount } from "./output.ts";
import { dataFolder } from "./target.ts";

/** The file naming what an export holds. */
export const EXPORT_MANIFEST = "botknobs-export.json";

/** What `botknobs-export.json` holds. */
export interface ExportManifest {
  format: "botknobs.export";
  format_version: 1;
  domain_id: string;
  generation: string;
  /** The key (path under the export folder) of the index head. */
  head: string;
  commit: number;
  exported_at: string;
  files: { key: string; bytes: number; sha256: string }[];
}

/** Reads an object whole, or null. */
async function read(store: BlobStore, key: string): Promise<Uint8Array | null> {
  const body = await store.get(key);
  return body ? new Uint8Array(await new Response(body.body).arrayBuffer()) : null;
}

/**
 * Copies the index of `domain` from the data folder `data` into `out`; the manifest written.
 * @example
 * const manifest = await exportIndex("./data", "docs", "./site/index");
 */
export async function exportIndex(
  data: string,
  domain: string,
  out: string,
): Promise<ExportManifest> {
  const [{ FsBlobStore }, { BlobSearchIndex }, { BlobKnowledgeBackend }, { sha256Hex }] =
    await Promise.all([
      import("../adapters/fs/index.ts"),
      import("../core/knowledge/index/blob-search-index.ts"),
      import("../core/knowledge/store/blob-backend.ts"),
      import("../core/util/sha256.ts"),
    ]);
  const store = new FsBlobStore({ root: join(data, "knowledge") });
  const knowledge = new BlobKnowledgeBackend({ store });
  const info = await knowledge.getInfo(domain);
  if (!info)
    throw new CliError(
      `no knowledge base '${domain}' in the data folder ${resolve(data)} (botknobs kb ls --data ${data} lists them)`,
      EXIT.NOT_FOUND,
    );
  const scope = { domainId: domain, generation: info.generation };
  const headKey = `${new BlobSearchIndex({ store }).indexPrefix(scope)}head.json`;
  // A commit may land meanwhile and a later sweep take the segments it replaced: read the head
  // again and start over when a segment has gone.
  for (let attempt = 0; ; attempt++) {
    const headBytes = await read(store, headKey);
    if (!headBytes)
      throw new CliError(
        `knowledge base '${domain}' has no persisted index yet: ingest it first (botknobs ingest DIR --kb ${domain} --data ${data})`,
      );
    const head = JSON.parse(new TextDecoder().decode(headBytes)) as IndexHead;
    const files: ExportManifest["files"] = [];
    let missing = false;
    for (const ref of head.segments) {
      const bytes = await read(store, ref.key);
      if (!bytes) {
        missing = true;
        break;
      }
      const sha256 = await sha256Hex(bytes);
      if (bytes.length !== ref.bytes || sha256 !== ref.sha256)
        throw new CliError(
          `segment ${ref.key} of '${domain}' does not match its checksum in the head: the index is damaged; ingest again with --force`,
        );
      await writeKey(out, ref.key, bytes);
      files.push({ key: ref.key, bytes: bytes.length, sha256 });
    }
    if (missing) {
      if (attempt < 3) continue;
      throw new CliError(`the index of '${domain}' kept changing while it was exported: try again`);
    }
    // The head last, so that a reader of the folder never finds a head without its segments.
    await writeKey(out, headKey, headBytes);
    files.push({ key: headKey, bytes: headBytes.length, sha256: await sha256Hex(headBytes) });
    return {
      format: "botknobs.export",
      format_version: 1,
      domain_id: domain,
      generation: info.generation,
      head: headKey,
      commit: head.commit,
      exported_at: new Date().toISOString(),
      files,
    };
  }
}

async function writeKey(out: string, key: string, bytes: Uint8Array): Promise<void> {
  const path = join(out, ...key.split("/"));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/** Removes a file of an earlier export, and the folders it leaves empty. */
async function removeKey(out: string, key: string): Promise<void> {
  const parts = key.split("/");
  await rm(join(out, ...parts), { force: true });
  for (let n = parts.length - 1; n > 0; n--) {
    try {
      await rmdir(join(out, ...parts.slice(0, n)));
    } catch {
      return; // not empty (or gone): the folders above are not empty either
    }
  }
}

/** The manifest of an earlier export into `out`; null when `out` is new or empty. */
async function earlierExport(out: string): Promise<ExportManifest | null> {
  if (!existsSync(out)) return null;
  const names = await readdir(out);
  if (names.length === 0) return null;
  if (!names.includes(EXPORT_MANIFEST))
    throw new CliError(
      `${out} is not empty and holds no earlier export (${EXPORT_MANIFEST}): give a new or empty folder`,
      EXIT.USAGE,
    );
  return JSON.parse(await readFile(join(out, EXPORT_MANIFEST), "utf8")) as ExportManifest;
}

/** `botknobs export`. */
export const exportCommand: Command = {
  name: "export",
  usage: "botknobs export NAME OUT [--data DIR] [--json]",
  help: `Writes the persisted search index of the knowledge base NAME into the folder OUT as plain
files, under the keys the index keeps them at (NAME/.botknobs/<generation>/index/head.json and
its segments), with ${EXPORT_MANIFEST} naming every file with its size and SHA-256. Serve OUT from
any static host: a BlobSearchIndex over a read-only blob store of it answers queries as the
server does. OUT must be new, empty, or an earlier export (replaced; files it no longer needs are
removed). It reads the data folder directly (run it where the data is).

  --data DIR     the data folder (or BOTKNOBS_DATA; default ./data)
  --json         the manifest as JSON

example: botknobs export docs ./public/index`,
  options: { data: { type: "string" }, server: { type: "string" }, json: { type: "boolean" } },
  positionals: [2, 2],
  async run({ values, positionals }, out) {
    const [name, folder] = positionals as [string, string];
    if (stringOption(values, "server") !== undefined)
      throw new CliError(
        "export reads the index from a data folder, not a server: run it where the data is, with --data DIR",
        EXIT.USAGE,
      );
    const data = dataFolder(values);
    if (!existsSync(data))
      throw new CliError(
        `no data folder at ${data}: give --data DIR (the folder \`botknobs serve\` keeps)`,
        EXIT.USAGE,
      );
    const earlier = await earlierExport(folder);
    const manifest = await exportIndex(data, name, folder);
    await writeFile(join(folder, EXPORT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const kept = new Set(manifest.files.map((f) => f.key));
    for (const f of earlier?.files ?? []) if (!kept.has(f.key)) await removeKey(folder, f.key);
    if (values.json) {
      out.json(manifest);
      return EXIT.OK;
    }
    const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
    out.print(
      `exported the index of '${name}' (commit ${manifest.commit}) to ${folder}: ${formatCount(manifest.files.length)} files, ${formatBytes(bytes)}; head at ${manifest.head}`,
    );
    return EXIT.OK;
  },
};
