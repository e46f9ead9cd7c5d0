/**
 * `botknobs ingest DIR --kb NAME [--server URL | --data DIR] [--watch]`: a folder of documents
 * made the content of a knowledge base and ingested (see sync.ts), with a progress bar on a
 * terminal; `--watch` does it again whenever the folder changes.
 * @module
 */
import { watch } from "node:fs";
import { stat } from "node:fs/promises";
import process from "node:process";
import { validateBotId } from "../core/validate.ts";
import { type Command, stringOption } from "./args.ts";
import { CliError, EXIT, usage } from "./errors.ts";
import { counted, formatBytes, type Output, paint } from "./output.ts";
import { type SyncResult, syncFolder } from "./sync.ts";
import { TARGET_HELP, TARGET_OPTIONS, type Target, withTarget } from "./target.ts";

const USAGE =
  "botknobs ingest DIR --kb NAME [--server URL | --data DIR] [--watch] [--force] [--keep] [--json]";

/** The errors of a finished ingestion job (files that could not be ingested). */
function errorsOf(result: SyncResult): { file: string; error: string }[] {
  const r = result.job?.result as { errors?: { file: string; error: string }[] } | undefined;
  return r?.errors ?? [];
}

/** Prints what one pass did; its exit code (1 when a file failed or was skipped). */
function report(out: Output, result: SyncResult, json: boolean): number {
  const errors = errorsOf(result);
  const failed = errors.length > 0 || result.skipped.length > 0;
  if (json) {
    out.json(result);
    return failed ? EXIT.FAILED : EXIT.OK;
  }
  const r = result.job?.result as { chunks_created?: number; files_processed?: number } | undefined;
  const what = `${counted(result.files, "file")} (${formatBytes(result.bytes)}): ${result.uploaded} uploaded, ${result.unchanged} unchanged, ${result.deleted} deleted`;
  if (result.job === null)
    out.print(`'${result.kb}' is up to date — ${what}; nothing to ingest (--force ingests anyway)`);
  else
    out.print(
      `ingested '${result.kb}' in ${result.seconds.toFixed(1)} s — ${what}; ${counted(r?.files_processed ?? 0, "file")} chunked into ${counted(r?.chunks_created ?? 0, "chunk")}`,
    );
  for (const e of errors.slice(0, 20))
    out.note(paint(out.errColor, "red", `error: ${e.file}: ${e.error}`));
  if (errors.length > 20) out.note(`… and ${errors.length - 20} more (--json lists them all)`);
  if (result.skipped.length > 0)
    out.note(
      `${result.skipped.length} file(s) were not uploaded: rename them (the reasons are above)`,
    );
  return failed ? EXIT.FAILED : EXIT.OK;
}

/** Watches `dir` and runs `pass` after each burst of changes, one pass at a time. */
async function watchFolder(dir: string, out: Output, pass: () => Promise<void>): Promise<void> {
  out.note(`watching ${dir} for changes (Ctrl-C stops)`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let again = false;
  const run = (): void => {
    if (again) return;
    again = true;
    running = running.then(async () => {
      again = false;
      try {
        await pass();
      } catch (error) {
        // A failed pass is reported; the next change tries again.
        out.note(paint(out.errColor, "red", `error: ${(error as Error).message}`));
      }
    });
  };
  const watcher = watch(dir, { recursive: true }, (_event, name) => {
    // Hidden files and folders (.git) are never ingested: their changes are not a reason to look.
    if (typeof name === "string" && name.split(/[\\/]/).some((s) => s.startsWith("."))) return;
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      clearTimeout(timer);
      watcher.close();
      void running.then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** `botknobs ingest`. */
export const ingestCommand: Command = {
  name: "ingest",
  usage: USAGE,
  help: `Makes the knowledge base NAME hold the files of DIR (it is created if needed), then ingests
it for search. Only files whose SHA-256 differs from the knowledge base's copy are uploaded;
files the folder no longer has are deleted (unless --keep); hidden files and folders (.git…) are
left out. Markdown, text, JSON, YAML, CSV and .gz of them are chunked; other files are kept but
skipped by ingestion. On a terminal a progress bar shows files, MB, chunks, rate and ETA (on
stderr); otherwise a plain line every few seconds.

  --kb NAME      the knowledge base (required)
  --watch        stay, and ingest again whenever DIR changes
  --force        ingest every file again, changed or not
  --keep         keep files of the knowledge base that DIR no longer has
  --json         what was done as JSON (with the ingestion job and its result)
${TARGET_HELP}

exit code 1 when a file could not be uploaded or ingested (each is named)
example: botknobs ingest ./docs --kb docs && botknobs search docs "install"`,
  options: {
    ...TARGET_OPTIONS,
    kb: { type: "string" },
    watch: { type: "boolean" },
    force: { type: "boolean" },
    keep: { type: "boolean" },
    json: { type: "boolean" },
  },
  positionals: [1, 1],
  async run({ values, positionals }, out) {
    const dir = positionals[0] as string;
    const kb = stringOption(values, "kb");
    if (kb === undefined) throw usage("give the knowledge base: --kb NAME", USAGE);
    try {
      validateBotId(kb, "kb");
    } catch (error) {
      throw new CliError(`invalid --kb: ${(error as Error).message}`, EXIT.USAGE);
    }
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory())
      throw new CliError(`no folder at ${dir}: give the folder of documents to ingest`, EXIT.USAGE);
    const options = { keep: values.keep === true, force: values.force === true };
    const json = values.json === true;
    return withTarget(values, { create: true }, async (target: Target) => {
      const code = report(out, await syncFolder(target, dir, kb, out, options), json);
      if (!values.watch) return code;
      await watchFolder(dir, out, async () => {
        report(out, await syncFolder(target, dir, kb, out, { keep: options.keep }), json);
      });
      return EXIT.OK;
    });
  },
};
