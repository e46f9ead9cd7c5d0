/**
 * The head of a knowledge base: `<domain>/_metadata.json`, the one object every change of the
 * domain replaces by compare-and-set. It holds the summary (`info`), the root of the file list
 * and the ingestion lease; a deleted knowledge base leaves a tombstone here.
 * @module
 */
import { AdapterError, UnsupportedError } from "../../errors.ts";
import { type FileEntry, isLeaf, rowOf, type TreeNode } from "./manifest-tree.ts";
import { IngestionStatus, type KnowledgeBaseInfoDict, type KnowledgeFileDict } from "./models.ts";

/** The format this code writes. */
export const HEAD_FORMAT = "botknobs.knowledge";
export const HEAD_FORMAT_VERSION = 2;

/** A live knowledge base's head. */
export interface HeadDocument {
  format: typeof HEAD_FORMAT;
  format_version: number;
  info: KnowledgeBaseInfoDict;
  root: TreeNode;
  /** While an ingestion runs: when its claim runs out unless renewed (ISO time). */
  lease_until?: string | null;
  /** While an ingestion runs: the owner token of the run that holds the claim. */
  lease_owner?: string | null;
}

/** What `deleteKb` leaves: the domain id is free again, and nothing of this generation serves. */
export interface Tombstone {
  format: typeof HEAD_FORMAT;
  format_version: number;
  deleted: true;
  generation: string;
  deleted_at: string;
}

/** The stored form before format 2 (the seed's): the whole file list in one object. */
interface LegacyDocument {
  info: Partial<KnowledgeBaseInfoDict> & { domain_id: string };
  files?: Record<string, KnowledgeFileDict>;
}

/** A new random generation id. */
export function newGeneration(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

/** Parses a head object; throws naming the domain when it is not one this code can read. */
export function parseHead(domainId: string, text: string): HeadDocument | Tombstone {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new AdapterError(
      "knowledge",
      `the head of knowledge base '${domainId}' (_metadata.json) is not JSON`,
      { cause: error },
    );
  }
  const d = doc as Partial<HeadDocument & Tombstone> & LegacyDocument;
  if (d?.format === HEAD_FORMAT) {
    if ((d.format_version ?? 0) > HEAD_FORMAT_VERSION) {
      throw new UnsupportedError(
        `Knowledge base '${domainId}' was written by a newer botknobs (format ${d.format_version}; this one reads ${HEAD_FORMAT_VERSION}): upgrade botknobs`,
      );
    }
    if (d.deleted === true) return d as Tombstone;
    if (typeof d.info?.domain_id === "string" && d.root && typeof d.root === "object")
      return d as HeadDocument;
  } else if (typeof d?.info?.domain_id === "string") {
    return fromLegacy(d);
  }
  throw new AdapterError(
    "knowledge",
    `the head of knowledge base '${domainId}' (_metadata.json) is not a knowledge base head`,
  );
}

/** Reads format 1: files listed inline, their bytes at `<domain>/<path>` (blob `null`). */
function fromLegacy(d: LegacyDocument): HeadDocument {
  const rows = Object.values(d.files ?? {})
    .map(
      (f): FileEntry => ({
        path: f.path,
        checksum: f.checksum,
        size_bytes: f.size_bytes,
        content_type: f.content_type,
        uploaded_at: f.uploaded_at,
        blob: null,
        metadata: f.metadata ?? {},
      }),
    )
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map(rowOf);
  const i = d.info;
  return {
    format: HEAD_FORMAT,
    format_version: HEAD_FORMAT_VERSION,
    info: {
      domain_id: i.domain_id,
      file_count: rows.length,
      total_size_bytes: rows.reduce((n, r) => n + r[2], 0),
      last_updated: i.last_updated ?? new Date(0).toISOString(),
      version: i.version ?? "1",
      ingestion_status: i.ingestion_status ?? IngestionStatus.PENDING,
      ingestion_error: i.ingestion_error ?? null,
      vector_store_path: i.vector_store_path ?? null,
      metadata: i.metadata ?? {},
      generation: i.generation ?? "0",
    },
    root: { e: rows },
  };
}

export function isTombstone(doc: HeadDocument | Tombstone): doc is Tombstone {
  return (doc as Tombstone).deleted === true;
}

/**
 * The summary as a reader should see it: an ingestion whose lease ran out (its process stopped
 * or hung) shows as `error`, so a status never stays `ingesting` forever.
 */
export function effectiveInfo(doc: HeadDocument, now: number): KnowledgeBaseInfoDict {
  const { info, lease_until: until } = doc;
  if (info.ingestion_status !== IngestionStatus.INGESTING || !until || Date.parse(until) > now)
    return info;
  return {
    ...info,
    ingestion_status: IngestionStatus.ERROR,
    ingestion_error: `ingestion stopped before it finished (its lease ran out at ${until}: the process that ran it stopped or hung); ingest again`,
  };
}

/**
 * The ingestion lease a head records, and whether it is live at `now`; null when none is (no
 * run is ingesting, or the status says otherwise).
 * @example
 * const lease = leaseOf(head.doc, Date.now());
 * if (lease?.live && lease.owner !== me) throw new LeaseHeldError(...);
 */
export function leaseOf(
  doc: HeadDocument,
  now: number,
): { owner: string | null; until: string; live: boolean } | null {
  const until = doc.lease_until;
  if (doc.info.ingestion_status !== IngestionStatus.INGESTING || !until) return null;
  return { owner: doc.lease_owner ?? null, until, live: Date.parse(until) > now };
}

/** Checks the root's shape once, where it is read. */
export function checkRoot(domainId: string, root: TreeNode): TreeNode {
  const ok = isLeaf(root) ? Array.isArray(root.e) : Array.isArray((root as { c?: unknown }).c);
  if (!ok)
    throw new AdapterError("knowledge", `the file list of knowledge base '${domainId}' is damaged`);
  return root;
}
