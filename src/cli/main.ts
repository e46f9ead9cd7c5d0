/**
 * {@link runCli}: the `botknobs` command line — one file per command beside this one, this file
 * finds the command, prints help, and turns failures into a message and an exit code.
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { type Command, type CommandGroup, groupHelp, helpText, parseCommand } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import { type Output, paint, processOutput } from "./output.ts";

/** A top-level command: its name and summary, and its module, loaded only when it runs. */
interface Entry {
  name: string;
  summary: string;
  load(): Promise<Command | CommandGroup>;
}

// Loaded on use, so that `--help` and a wrong command line answer without loading the server.
const ENTRIES: Entry[] = [
  {
    name: "serve",
    summary: "serve the API over a data folder (or memory)",
    load: async () => (await import("./serve.ts")).serveCommand,
  },
  {
    name: "ingest",
    summary: "upload a folder into a knowledge base (changed files only) and ingest it",
    load: async () => (await import("./ingest.ts")).ingestCommand,
  },
  {
    name: "search",
    summary: "search a knowledge base",
    load: async () => (await import("./search.ts")).searchCommand,
  },
  {
    name: "bots",
    summary: "list, read, write, roll back and compare bots",
    load: async () => (await import("./bots.ts")).botsGroup,
  },
  {
    name: "kb",
    summary: "list, inspect and delete knowledge bases",
    load: async () => (await import("./kb.ts")).kbGroup,
  },
  {
    name: "eval",
    summary: "nDCG@10 and Recall@100 of a BEIR-format folder (search quality on judged queries)",
    load: async () => (await import("./eval.ts")).evalCommand,
  },
  {
    name: "export",
    summary: "write a knowledge base's search index as static files any host can serve",
    load: async () => (await import("./export.ts")).exportCommand,
  },
];

const isGroup = (entry: Command | CommandGroup): entry is CommandGroup => "subcommands" in entry;

/** The package's version, from its package.json (beside src/ and dist/ alike). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

function mainHelp(): string {
  const width = Math.max(...ENTRIES.map((e) => e.name.length)) + 2;
  const commands = ENTRIES.map((e) => `  ${e.name.padEnd(width)}${e.summary}`).join("\n");
  return `botknobs — bots' configs and their knowledge, from the command line

usage: botknobs <command> [options]     (botknobs <command> --help says more)

${commands}

Commands on bots and knowledge bases act on a data folder (--data DIR, BOTKNOBS_DATA, default
./data: the folder \`botknobs serve\` keeps) or on a running server (--server URL or
BOTKNOBS_SERVER, with BOTKNOBS_TOKEN as its bearer token). Tables are for people; --json is for
scripts. NO_COLOR turns colour off.

exit codes: 0 done · 1 failed (the message says why) · 2 wrong command line or value · 3 not found

  --version      the version
`;
}

/** Finds the command `argv` names: the command, and the arguments left for it. */
async function find(
  argv: string[],
  out: Output,
): Promise<{ command: Command; rest: string[] } | number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    out.print(mainHelp());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === "--version" || name === "-v") {
    out.print(version());
    return EXIT.OK;
  }
  const known = ENTRIES.find((e) => e.name === name);
  if (!known)
    throw new CliError(
      `unknown command ${JSON.stringify(name)}: the commands are ${ENTRIES.map((e) => e.name).join(", ")} (botknobs --help)`,
      EXIT.USAGE,
    );
  const entry = await known.load();
  if (!isGroup(entry)) return { command: entry, rest };
  const [sub, ...subRest] = rest;
  if (sub === "--help" || sub === "-h" || sub === "help") {
    out.print(groupHelp(entry));
    return EXIT.OK;
  }
  const named = entry.subcommands.find((c) => c.name === sub);
  if (named) return { command: named, rest: subRest };
  const fallback = entry.subcommands.find((c) => c.name === entry.defaultSubcommand);
  if (fallback && (sub === undefined || sub.startsWith("-"))) return { command: fallback, rest };
  throw new CliError(
    `unknown command "${entry.name} ${sub}": the ${entry.name} commands are ${entry.subcommands.map((c) => c.name).join(", ")} (botknobs ${entry.name} --help)`,
    EXIT.USAGE,
  );
}

/**
 * Runs `botknobs` with `argv` (the arguments after the program name); resolves the exit code.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: string[], out: Output = processOutput()): Promise<number> {
  try {
    const found = await find(argv, out);
    if (typeof found === "number") return found;
    const { command, rest } = found;
    const parsed = parseCommand(command, rest);
    if (parsed.values.help) {
      out.print(helpText(command));
      return EXIT.OK;
    }
    return (await command.run(parsed, out)) ?? EXIT.OK;
  } catch (error) {
    const known = error instanceof CliError;
    const message = error instanceof Error ? error.message : String(error);
    out.note(`${paint(out.errColor, "red", "botknobs:")} ${message}`);
    if (!known && process.env.BOTKNOBS_DEBUG && error instanceof Error && error.stack)
      out.note(error.stack);
    return known ? error.exitCode : EXIT.FAILED;
  }
}
