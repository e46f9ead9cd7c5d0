/**
 * Putting files into a knowledge base: each upload goes to its own immutable object first, then
 * one commit lists the batch (one version step). Bytes identical to what is listed are neither
 * uploaded nor a change.
 * @module
 */
import { NotFoundError, ValidationError } from "../../errors.ts";
import { type ByteSource, isByteStream } from "../../util/streams.ts";
import { type JsonObject, validateMetadata } from "../../validate.ts";
import type { DomainHeads, LiveHead } from "./domain-heads.ts";
import { Draft } from "./draft.ts";
import type { FileEntry } from "./manifest-tree.ts";
import { KnowledgeFile } from "./models.ts";
import { newId } from "./nodes.ts";
import { contentTypeFor, validateFilePath } from "./paths.ts";
import type { PutFileEntry } from "./types.ts";
import { checksumIfBytes, upload } from "./upload.ts";

/** One file of a `putFiles` call, checked. */
export interface PlannedFile {
  path: string;
  content: ByteSource;
  contentType: string;
  metadata: JsonObject;
  keepMetadata: boolean;
  size?: number;
  /** SHA-256 of content already in memory (known before uploading). */
  checksum: string | null;
  /** Its bytes are listed already, as they are (set by `precheck`): nothing to upload. */
  listed?: boolean;
  /** Where its bytes were uploaded (the id in the generation's `blobs/`), once they were. */
  uploaded?: { blob: string; checksum: string; sizeBytes: number };
}

/** What a recorded batch changed. */
export interface Recorded {
  files: KnowledgeFile[];
  /** Entries the commit replaced (their uploads are garbage now). */
  replaced: FileEntry[];
  /** Uploads not listed after all (identical bytes were already there). */
  unlisted: string[];
  /** Paths whose entry changed. */
  changed: string[];
  /** Files that were identical when the batch started but changed since: upload them now. */
  stale: PlannedFile[];
}

/** The stored form of an entry as a `KnowledgeFile`. */
export function fileOf(entry: FileEntry, created?: boolean): KnowledgeFile {
  return KnowledgeFile.fromDict({ ...entry, metadata: entry.metadata as JsonObject }, created);
}

function sameContent(a: FileEntry, checksum: string, contentType: string): boolean {
  return a.checksum === checksum && a.content_type === contentType;
}

/** Checks one entry of a batch (nothing is written before every entry passed). */
export async function planFile(e: PutFileEntry): Promise<PlannedFile> {
  validateFilePath(e.path);
  const contentType = e.contentType ?? contentTypeFor(e.path);
  if (typeof contentType !== "string" || contentType === "")
    throw new ValidationError("Invalid contentType: expected a non-empty string");
  if (
    !isByteStream(e.content) &&
    typeof e.content !== "string" &&
    !(e.content instanceof Uint8Array)
  )
    throw new ValidationError(
      `Invalid content for '${e.path}': expected Uint8Array, string or ReadableStream`,
    );
  if (e.size !== undefined && !(Number.isSafeInteger(e.size) && e.size >= 0))
    throw new ValidationError(`Invalid size ${e.size} for '${e.path}': expected a byte count`);
  return {
    path: e.path,
    content: e.content,
    contentType,
    metadata: validateMetadata(e.metadata),
    keepMetadata: e.metadata === undefined,
    ...(e.size !== undefined ? { size: e.size } : {}),
    checksum: await checksumIfBytes(e.content),
  };
}

/**
 * Refuses, before any upload, a batch that breaks the file-or-folder rule, and marks the files
 * whose bytes `head` lists already (`listed`: nothing to upload for them).
 */
export async function precheck(
  heads: DomainHeads,
  domainId: string,
  head: LiveHead,
  planned: PlannedFile[],
): Promise<void> {
  const draft = new Draft(
    head.doc.info,
    head.doc.root,
    heads.source(domainId, head.doc.info.generation),
  );
  for (const p of planned) {
    const current = await draft.get(p.path);
    if (!current) await draft.checkPlacement(p.path);
    else if (p.checksum && p.keepMetadata && !draft.changes.has(p.path))
      p.listed = sameContent(current, p.checksum, p.contentType);
    draft.set(p.path, { path: p.path } as FileEntry);
  }
}

/** Uploads `p`'s bytes to a fresh object of the generation. */
export async function uploadPlanned(
  heads: DomainHeads,
  domainId: string,
  generation: string,
  p: PlannedFile,
  maxBytes: number,
): Promise<void> {
  const blob = newId();
  const stored = await upload(heads.store, heads.blobKey(domainId, generation, blob), p.content, {
    path: p.path,
    contentType: p.contentType,
    maxBytes,
    checksum: p.checksum,
    ...(p.size !== undefined ? { size: p.size } : {}),
  });
  p.uploaded = { blob, ...stored };
}

/** Lists the uploaded batch in one commit (`stamp` bumps the version when files changed). */
export async function recordBatch(
  heads: DomainHeads,
  domainId: string,
  generation: string,
  batch: PlannedFile[],
  now: () => string,
  stamp: (draft: Draft) => void,
): Promise<Recorded> {
  const stale: PlannedFile[] = [];
  const unlisted: string[] = [];
  const changed: string[] = [];
  const { value: files, replaced } = await heads.commit(domainId, async (draft) => {
    if (draft.info.generation !== generation)
      throw new NotFoundError(`Knowledge base '${domainId}' was deleted during the upload`);
    stale.length = unlisted.length = changed.length = 0;
    const out: KnowledgeFile[] = [];
    for (const p of batch) {
      const current = await draft.get(p.path);
      const checksum = p.uploaded?.checksum ?? p.checksum;
      if (current && p.keepMetadata && checksum && sameContent(current, checksum, p.contentType)) {
        // Identical bytes are not a change: no new version, and the new upload is dropped.
        if (p.uploaded) unlisted.push(p.uploaded.blob);
        out.push(fileOf(current, false));
        continue;
      }
      if (!p.uploaded) {
        stale.push(p);
        continue;
      }
      if (!current) await draft.checkPlacement(p.path);
      const entry: FileEntry = {
        path: p.path,
        checksum: p.uploaded.checksum,
        size_bytes: p.uploaded.sizeBytes,
        content_type: p.contentType,
        uploaded_at: now(),
        blob: p.uploaded.blob,
        metadata: p.metadata,
      };
      draft.set(p.path, entry);
      changed.push(p.path);
      out.push(fileOf(entry, !current));
    }
    if (changed.length > 0) stamp(draft);
    return out;
  });
  return { files, replaced, unlisted, changed, stale };
}
