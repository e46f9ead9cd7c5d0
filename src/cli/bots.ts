/**
 * `botknobs bots [ls|get|put|history|rollback|diff]`: the bots of a server or data folder — list
 * them, read one (or one of its versions), write a config from a JSON or YAML file, see its
 * versions, roll back, and compare two versions.
 * @module
 */
import { Buffer } from "node:buffer";
import { readFile } from "node:fs/promises";
import process from "node:process";
import { parse as parseYaml } from "yaml";
import type { RegistrationDict } from "../core/registry/registration.ts";
import type { JsonObject } from "../core/validate.ts";
import { type Command, type CommandGroup, intValue, stringOption } from "./args.ts";
import { diffJson } from "./diff.ts";
import { CliError, EXIT } from "./errors.ts";
import { type Output, paint, table } from "./output.ts";
import { TARGET_HELP, TARGET_OPTIONS, withTarget } from "./target.ts";

const JSON_OPTION = { json: { type: "boolean" } } as const;
const VERSION_RANGE = { min: 1, max: 999_999_999_999_999 };

/** The model a config names, when it follows the seed's shape (`llm.model`). */
function modelOf(config: JsonObject): string {
  const llm = config.llm as { provider?: unknown; model?: unknown } | undefined;
  if (typeof llm?.model !== "string") return "";
  return typeof llm.provider === "string" ? `${llm.provider}/${llm.model}` : llm.model;
}

function printBot(out: Output, reg: RegistrationDict): void {
  out.print(
    `${paint(out.color, "bold", reg.bot_id)} version ${reg.version} (${reg.status}), updated ${reg.updated_at}`,
  );
  out.print(JSON.stringify(reg.config, null, 2));
}

const ls: Command = {
  name: "ls",
  summary: "list the bots",
  usage: "botknobs bots ls [--status active|inactive] [--json] [--server URL | --data DIR]",
  help: `Lists the bots: id, version, status, model (llm.provider/llm.model) and when written.

  --status S     only bots of this status
  --json         the list as JSON (the API's registrations)
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION, status: { type: "string" } },
  positionals: [0, 0],
  async run({ values }, out) {
    const bots = await withTarget(values, { create: false }, (t) =>
      t.api.listBots(stringOption(values, "status")),
    );
    if (values.json) {
      out.json(bots);
      return EXIT.OK;
    }
    if (bots.length === 0) {
      out.note("no bots (botknobs bots put ID FILE writes one)");
      return EXIT.OK;
    }
    const rows = bots.map((b) => [
      b.bot_id,
      String(b.version),
      b.status,
      modelOf(b.config),
      b.updated_at,
    ]);
    out.print(table(out, ["BOT", "VERSION", "STATUS", "MODEL", "UPDATED"], rows, { right: [1] }));
    return EXIT.OK;
  },
};

const get: Command = {
  name: "get",
  summary: "one bot's config, as it is now or at a version",
  usage: "botknobs bots get ID [--version N] [--json] [--server URL | --data DIR]",
  help: `Prints the bot ID: its version, status and config.

  --version N    that version instead of the current one (botknobs bots history ID lists them)
  --json         the registration as JSON (bot_id, config, status, version, etag, timestamps)
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION, version: { type: "string" } },
  positionals: [1, 1],
  async run({ values, positionals }, out) {
    const version = intValue(stringOption(values, "version"), "--version", VERSION_RANGE);
    const reg = await withTarget(values, { create: false }, (t) =>
      t.api.getBot(positionals[0] as string, version),
    );
    if (values.json) out.json(reg);
    else printBot(out, reg);
    return EXIT.OK;
  },
};

/** Reads a config from a JSON or YAML file, or stdin (`-`): it must be an object. */
async function readConfig(file: string): Promise<JsonObject> {
  let text: string;
  try {
    if (file === "-") {
      const chunks: Uint8Array[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
      text = Buffer.concat(chunks).toString("utf8");
    } else text = await readFile(file, "utf8");
  } catch (error) {
    throw new CliError(
      `cannot read ${file}: ${(error as Error).message} (give a JSON or YAML file, or - for stdin)`,
      EXIT.USAGE,
    );
  }
  let value: unknown;
  try {
    value = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(
      `${file === "-" ? "stdin" : file} is not valid ${file.endsWith(".json") ? "JSON" : "JSON or YAML"}: ${(error as Error).message.split("\n")[0]}`,
      EXIT.USAGE,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new CliError(
      `${file === "-" ? "stdin" : file} holds ${Array.isArray(value) ? "a list" : JSON.stringify(value)}: a bot's config is an object ({ "llm": { … }, … })`,
      EXIT.USAGE,
    );
  return value as JsonObject;
}

const put: Command = {
  name: "put",
  summary: "write a bot's config from a JSON or YAML file (a new version)",
  usage:
    "botknobs bots put ID FILE [--status active|inactive] [--json] [--server URL | --data DIR]",
  help: `Writes the config in FILE (JSON, or YAML unless it ends in .json; - reads stdin) as the bot
ID's new version; a bot that does not exist is created. Its status stays unless --status says.

  --status S     active or inactive
  --json         the new registration as JSON
${TARGET_HELP}

example: botknobs bots put support-bot support-bot.yaml`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION, status: { type: "string" } },
  positionals: [2, 2],
  async run({ values, positionals }, out) {
    const [botId, file] = positionals as [string, string];
    const config = await readConfig(file);
    const reg = await withTarget(values, { create: true }, (t) =>
      t.api.putBot(botId, config, stringOption(values, "status")),
    );
    if (values.json) out.json(reg);
    else out.print(`${reg.bot_id}: version ${reg.version} (${reg.status})`);
    return EXIT.OK;
  },
};

const history: Command = {
  name: "history",
  summary: "the versions kept of a bot, newest first",
  usage: "botknobs bots history ID [--limit N] [--json] [--server URL | --data DIR]",
  help: `Lists the versions kept of the bot ID, newest first: version, status, model, when written.

  --limit N      at most N versions
  --json         the versions as JSON (registrations)
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION, limit: { type: "string" } },
  positionals: [1, 1],
  async run({ values, positionals }, out) {
    const limit = intValue(stringOption(values, "limit"), "--limit", VERSION_RANGE);
    const items = await withTarget(values, { create: false }, (t) =>
      t.api.history(positionals[0] as string, limit),
    );
    if (values.json) {
      out.json(items);
      return EXIT.OK;
    }
    const rows = items.map((r) => [String(r.version), r.status, modelOf(r.config), r.updated_at]);
    out.print(table(out, ["VERSION", "STATUS", "MODEL", "WRITTEN"], rows, { right: [0] }));
    return EXIT.OK;
  },
};

const rollback: Command = {
  name: "rollback",
  summary: "a new version of a bot with the content of an earlier one",
  usage: "botknobs bots rollback ID VERSION [--json] [--server URL | --data DIR]",
  help: `Writes a new version of the bot ID holding the config of VERSION (nothing is erased: the
versions in between stay in its history).

  --json         the new registration as JSON
${TARGET_HELP}`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  positionals: [2, 2],
  async run({ values, positionals }, out) {
    const [botId, text] = positionals as [string, string];
    const version = intValue(text, "VERSION", VERSION_RANGE) as number;
    const reg = await withTarget(values, { create: false }, (t) => t.api.rollback(botId, version));
    if (values.json) out.json(reg);
    else out.print(`${reg.bot_id}: version ${reg.version}, with the config of version ${version}`);
    return EXIT.OK;
  },
};

const diff: Command = {
  name: "diff",
  summary: "what changed in a bot's config between two versions",
  usage: "botknobs bots diff ID FROM [TO] [--json] [--server URL | --data DIR]",
  help: `Compares the config of the bot ID at version FROM with version TO (default: the current
one), path by path: + added, - removed, ~ changed.

  --json         the changes as JSON: [{ path, op: added|removed|changed, from?, to? }]
${TARGET_HELP}

example: botknobs bots diff support-bot 1`,
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  positionals: [2, 3],
  async run({ values, positionals }, out) {
    const [botId, fromText, toText] = positionals as [string, string, string | undefined];
    const from = intValue(fromText, "FROM", VERSION_RANGE) as number;
    const to = intValue(toText, "TO", VERSION_RANGE);
    const [a, b] = await withTarget(values, { create: false }, (t) =>
      Promise.all([t.api.getBot(botId, from), t.api.getBot(botId, to)]),
    );
    const changes = diffJson(a.config, b.config);
    if (values.json) {
      out.json(changes);
      return EXIT.OK;
    }
    out.print(paint(out.color, "bold", `${botId}: version ${a.version} → ${b.version}`));
    if (changes.length === 0) out.print("no changes");
    const show = (v: unknown): string => JSON.stringify(v);
    for (const c of changes) {
      if (c.op === "added") out.print(paint(out.color, "green", `+ ${c.path}: ${show(c.to)}`));
      else if (c.op === "removed")
        out.print(paint(out.color, "red", `- ${c.path}: ${show(c.from)}`));
      else out.print(paint(out.color, "yellow", `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`));
    }
    return EXIT.OK;
  },
};

/** `botknobs bots`. */
export const botsGroup: CommandGroup = {
  name: "bots",
  help: "Bots of a server (--server URL) or a data folder (--data DIR, default ./data).",
  subcommands: [ls, get, put, history, rollback, diff],
  defaultSubcommand: "ls",
};
