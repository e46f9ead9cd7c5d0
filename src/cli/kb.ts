/**
 * `botknobs kb [ls|status|rm]`: the knowledge bases of a server or data folder — list them, see
 * one (its files, size, ingestion state and last jobs), delete one.
 * @module
 */
import type { KnowledgeBaseInfoDict } from "../core/knowledge/store/models.ts";
import type { Command, CommandGroup } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import { formatBytes, formatCount, type Output, paint, table } from "./output.ts";
import { TARGET_HELP, TARGET_OPTIONS, withTarget } from "./target.ts";

const JSON_OPTION = { json: { type: "boolean" } } as const;

/** The ingestion state, coloured for people: ready green, error red, the rest yellow. */
function status(out: Output, info: KnowledgeBaseInfoDict): string {
  const s = info.ingestion_status;
  return paint(out.color, s === "ready" ? "green" : s === "error" ? "red" : "yellow", s);
}

const ls: Command = {
  name: "ls",
  summary: "list the knowledge bases",
  usage: "botknobs kb ls [--json] [--server URL | --data DIR]",
  help: `Lists the knowledge bases: files, size, ingestion state, version.

  --json         the list as JSON (the API's knowledge base summaries)
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  positionals: [0, 0],
  async run({ values }, out) {
    const kbs = await withTarget(values, { create: false }, (t) => t.api.listKbs());
    if (values.json) {
      out.json(kbs);
      return EXIT.OK;
    }
    if (kbs.length === 0) {
      out.note("no knowledge bases (botknobs ingest DIR --kb NAME makes one)");
      return EXIT.OK;
    }
    const rows = kbs.map((kb) => [
      kb.domain_id,
      formatCount(kb.file_count),
      formatBytes(kb.total_size_bytes),
      status(out, kb),
      kb.version,
      kb.last_updated,
    ]);
    out.print(
      table(out, ["KB", "FILES", "SIZE", "STATUS", "VERSION", "UPDATED"], rows, { right: [1, 2] }),
    );
    return EXIT.OK;
  },
};

const show: Command = {
  name: "status",
  summary: "one knowledge base: files, size, ingestion state and its last jobs",
  usage: "botknobs kb status NAME [--json] [--server URL | --data DIR]",
  help: `Shows the knowledge base NAME: its files and size, whether it is ingested (ready, pending,
ingesting, error — with the error), and the ingestion jobs the server remembers (a data folder
opened by this command has none: each command is a new process).

  --json         { kb, jobs } as JSON
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  positionals: [1, 1],
  async run({ values, positionals }, out) {
    const name = positionals[0] as string;
    const { kb, jobs } = await withTarget(values, { create: false }, async (t) => {
      const kb = await t.api.kb(name);
      if (!kb)
        throw new CliError(
          `no knowledge base '${name}' in the ${t.where} (botknobs kb ls lists them)`,
          EXIT.NOT_FOUND,
        );
      return { kb, jobs: await t.api.jobs(name) };
    });
    if (values.json) {
      out.json({ kb, jobs });
      return EXIT.OK;
    }
    const rows: [string, string][] = [
      ["knowledge base", kb.domain_id],
      ["files", `${formatCount(kb.file_count)} (${formatBytes(kb.total_size_bytes)})`],
      ["status", status(out, kb)],
      ["version", kb.version],
      ["updated", kb.last_updated],
    ];
    if (kb.ingestion_error) rows.push(["error", kb.ingestion_error]);
    for (const [key, value] of rows)
      out.print(`${paint(out.color, "bold", key.padEnd(15))}${value}`);
    for (const job of jobs.slice(0, 5)) {
      const result = job.result as { chunks_created?: number } | null;
      out.print(
        `${paint(out.color, "bold", "job".padEnd(15))}${job.job_id} ${job.status} ${job.progress.done}/${job.progress.total} files${result?.chunks_created !== undefined ? `, ${formatCount(result.chunks_created)} chunks` : ""} (${job.created_at})`,
      );
    }
    return EXIT.OK;
  },
};

const rm: Command = {
  name: "rm",
  summary: "delete a knowledge base, its files and its index",
  usage: "botknobs kb rm NAME --yes [--server URL | --data DIR]",
  help: `Deletes the knowledge base NAME with its files and its search index. It cannot be undone,
so it asks for --yes.

  --yes          confirm
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, yes: { type: "boolean" } },
  positionals: [1, 1],
  async run({ values, positionals }, out) {
    const name = positionals[0] as string;
    if (!values.yes)
      throw new CliError(
        `kb rm deletes '${name}' with its files and index, for good: add --yes to confirm`,
        EXIT.USAGE,
      );
    const where = await withTarget(values, { create: false }, async (t) => {
      await t.api.deleteKb(name);
      return t.where;
    });
    out.print(`deleted knowledge base '${name}' from the ${where}`);
    return EXIT.OK;
  },
};

/** `botknobs kb`. */
export const kbGroup: CommandGroup = {
  name: "kb",
  help: "Knowledge bases of a server (--server URL) or a data folder (--data DIR, default ./data).",
  subcommands: [ls, show, rm],
  defaultSubcommand: "ls",
};
