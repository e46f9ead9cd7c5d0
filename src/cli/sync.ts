/**
 * {@link syncFolder}: one pass of `botknobs ingest` — a local folder made the content of a
 * knowledge base (only files whose SHA-256 differs are uploaded; files gone from the folder are
 * deleted unless `keep`), then ingested, with progress for each step. Nothing changed and the
 * knowledge base already ingested: no run at all.
 * @module
 */
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import type { IngestionJobDict } from "../core/knowledge/ingest/scheduler.ts";
import type { Api, UploadBody } from "./api.ts";
import { CliError, EXIT } from "./errors.ts";
import { eachLimit, type LocalFile, listFolder, type SkippedFile, sha256File } from "./folder.ts";
import type { Output } from "./output.ts";
import { Progress, type ProgressState } from "./progress.ts";
import type { Target } from "./target.ts";

/** Options of {@link syncFolder}. */
export interface SyncOptions {
  /** Keep files of the knowledge base that the folder no longer has. */
  keep?: boolean;
  /** Ingest every file again, changed or not. */
  force?: boolean;
  /** Uploads at once (default 4). */
  concurrency?: number;
  /** Between two looks at the ingestion job, in ms (default 200). */
  pollMs?: number;
}

/** What one pass did. */
export interface SyncResult {
  kb: string;
  /** Files in the folder (not counting those skipped) and their bytes. */
  files: number;
  bytes: number;
  uploaded: number;
  bytesUploaded: number;
  unchanged: number;
  deleted: number;
  skipped: SkippedFile[];
  /** The ingestion job, once finished; null when nothing changed. */
  job: IngestionJobDict | null;
  seconds: number;
}

// Files up to this size are uploaded from one buffer; larger ones are streamed.
const WHOLE_UPLOAD_BYTES = 8 * 1024 * 1024;
// A batch of a data folder's upload: at most this many files and bytes.
const BATCH_FILES = 256;
const BATCH_BYTES = 32 * 1024 * 1024;

/** Files in batches of at most {@link BATCH_FILES} files and {@link BATCH_BYTES} bytes. */
function* batches(files: LocalFile[]): Generator<LocalFile[]> {
  let batch: LocalFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (batch.length > 0 && (batch.length >= BATCH_FILES || bytes + f.size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(f);
    bytes += f.size;
  }
  if (batch.length > 0) yield batch;
}

/** A file's body for a `PUT`: its bytes, or a stream of them when it is large. */
async function uploadBody(f: LocalFile): Promise<UploadBody> {
  if (f.size <= WHOLE_UPLOAD_BYTES) return new Uint8Array(await readFile(f.file));
  return {
    stream: Readable.toWeb(createReadStream(f.file)) as ReadableStream<Uint8Array>,
    size: f.size,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Makes the knowledge base `kb` hold the files of `dir` and ingests it.
 * @example
 * const result = await syncFolder(target, "./docs", "docs", out);
 */
export async function syncFolder(
  target: Target,
  dir: string,
  kb: string,
  out: Output,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const { api } = target;
  const began = performance.now();
  const { files, skipped } = await listFolder(dir);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  for (const s of skipped) out.note(`skipped ${JSON.stringify(s.path)}: ${s.why}`);

  let info = await api.kb(kb);
  if (!info) info = await api.createKb(kb);
  const remote = new Map((await api.listFiles(kb)).map((f) => [f.path, f.checksum]));

  // Which files differ, by checksum.
  const check = new Progress(out, "check", { files: files.length, bytes }, { rateBy: "bytes" });
  const changed: LocalFile[] = [];
  let checked = 0;
  let checkedBytes = 0;
  await eachLimit(files, 8, async (f) => {
    const known = remote.get(f.path);
    if (known === undefined || known !== (await sha256File(f.file))) changed.push(f);
    checked++;
    checkedBytes += f.size;
    check.update({ files: checked, bytes: checkedBytes });
  });
  check.finish({ files: checked, bytes: checkedBytes });
  changed.sort((a, b) => (a.path < b.path ? -1 : 1));

  const changedBytes = changed.reduce((n, f) => n + f.size, 0);
  if (changed.length > 0) {
    const upload = new Progress(
      out,
      "upload",
      { files: changed.length, bytes: changedBytes },
      { rateBy: "bytes" },
    );
    let sent = 0;
    let sentBytes = 0;
    const uploaded = (files: LocalFile[]): void => {
      sent += files.length;
      sentBytes += files.reduce((n, f) => n + f.size, 0);
      upload.update({ files: sent, bytes: sentBytes });
    };
    const named = async (files: LocalFile[], write: () => Promise<void>): Promise<void> => {
      try {
        await write();
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        const which = files.length === 1 ? (files[0] as LocalFile).path : `${files.length} files`;
        throw new CliError(
          `uploading ${which}: ${error.message}`,
          error instanceof CliError ? error.exitCode : EXIT.FAILED,
        );
      }
      uploaded(files);
    };
    const { putFiles } = target;
    const small = putFiles ? changed.filter((f) => f.size <= WHOLE_UPLOAD_BYTES) : [];
    const one = changed.filter((f) => !small.includes(f));
    // A data folder: small files in batches, one write of the knowledge base each.
    for (const batch of batches(small)) {
      const entries = await Promise.all(
        batch.map(async (f) => ({ path: f.path, content: new Uint8Array(await readFile(f.file)) })),
      );
      await named(batch, () => (putFiles as NonNullable<typeof putFiles>)(kb, entries));
    }
    await eachLimit(one, options.concurrency ?? 4, (f) =>
      named([f], async () => {
        await api.putFile(kb, f.path, await uploadBody(f));
      }),
    );
    upload.finish({ files: sent, bytes: sentBytes });
  }

  const local = new Set(files.map((f) => f.path));
  const gone = options.keep ? [] : [...remote.keys()].filter((p) => !local.has(p));
  await eachLimit(gone, options.concurrency ?? 4, (path) => api.deleteFile(kb, path));
  if (gone.length > 0) out.note(`deleted ${gone.length} file(s) the folder no longer has`);

  const result: SyncResult = {
    kb,
    files: files.length,
    bytes,
    uploaded: changed.length,
    bytesUploaded: changedBytes,
    unchanged: files.length - changed.length,
    deleted: gone.length,
    skipped,
    job: null,
    seconds: 0,
  };
  const current = changed.length === 0 && gone.length === 0;
  if (current && !options.force && info.ingestion_status === "ready") {
    result.seconds = (performance.now() - began) / 1000;
    return result;
  }
  result.job = await runIngestion(api, kb, out, options);
  result.seconds = (performance.now() - began) / 1000;
  return result;
}

/** Starts an ingestion job and follows it to its end with a progress bar. */
async function runIngestion(
  api: Api,
  kb: string,
  out: Output,
  options: SyncOptions,
): Promise<IngestionJobDict> {
  let job = await api.ingest(kb, options.force ? { force: true } : {});
  let bar: Progress | undefined;
  const state = (j: IngestionJobDict): ProgressState => ({
    files: j.progress.done,
    ...(j.progress.chunks === undefined ? {} : { chunks: j.progress.chunks }),
    // Every file chunked, the run still going: it is writing the index (one commit).
    ...(j.status === "running" && j.progress.done === j.progress.total
      ? { note: "writing the index…" }
      : {}),
  });
  while (job.status === "running") {
    if (job.progress.total > 0) {
      bar ??= new Progress(out, "ingest", { files: job.progress.total });
      bar.update(state(job));
    }
    await sleep(options.pollMs ?? 200);
    job = await api.job(kb, job.job_id);
  }
  const result = job.result as { chunks_created?: number } | null;
  if (bar || job.progress.total > 0) {
    bar ??= new Progress(out, "ingest", { files: job.progress.total });
    bar.finish({ ...state(job), chunks: job.progress.chunks ?? result?.chunks_created ?? 0 });
  }
  if (job.status === "failed")
    throw new CliError(
      `ingesting '${kb}' failed: ${job.error?.message ?? "no reason given"} (${job.error?.code ?? "ERROR"})`,
      EXIT.FAILED,
    );
  return job;
}
