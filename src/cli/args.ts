/**
 * Reading a command line with Node's own `util.parseArgs` (also in Deno and Bun): each command
 * declares its options, and anything else — an unknown flag, a flag without its value, a value
 * that is not a number — is a usage error (exit 2) naming the flag and the command's usage.
 * @module
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { CliError, EXIT, usage } from "./errors.ts";
import type { Output } from "./output.ts";

/** The options a command declares, as `util.parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** What a command gets: its option values and its positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** One command (or subcommand) of `botknobs`. */
export interface Command {
  /** As typed: `ingest`, or `put` under `bots`. */
  name: string;
  /** One line for its group's list of commands (a top-level command's is in main.ts). */
  summary?: string;
  /** The usage line, `botknobs ingest DIR --kb NAME [...]`. */
  usage: string;
  /** What `--help` prints after the usage line: what it does, its options, an example. */
  help: string;
  options: OptionSpecs;
  /** The smallest and largest number of positional arguments. */
  positionals: [min: number, max: number];
  /** Runs it; resolves the exit code ({@link EXIT}). */
  run(args: Parsed, out: Output): Promise<number>;
}

/** `--help`/`-h`, which every command takes. */
export const HELP_OPTION: OptionSpecs = { help: { type: "boolean", short: "h" } };

/**
 * Parses `argv` for `command`: throws a usage error for an unknown option, a missing value or the
 * wrong number of positional arguments; `--help` is returned as `values.help`.
 * @example
 * const { values, positionals } = parseCommand(search, ["support", "reset password", "-k", "3"]);
 */
export function parseCommand(command: Command, argv: string[]): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...HELP_OPTION, ...command.options },
      allowPositionals: true,
      strict: true,
    }) as Parsed;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Node's messages name the flag and say what is wrong; the hint to use `--` for a value
    // that starts with a dash is kept.
    throw usage(message.replace(/\s+/g, " ").trim(), command.usage);
  }
  if (parsed.values.help) return parsed;
  const [min, max] = command.positionals;
  const n = parsed.positionals.length;
  if (n < min) {
    // The usage line names them: `botknobs search NAME "query"` → NAME, "query".
    const names = command.usage
      .split(" ")
      .filter((w) => /^([A-Z]+|"[a-z]+")$/.test(w))
      .slice(n, min);
    throw usage(`missing ${names.join(" and ") || "arguments"}`, command.usage);
  }
  if (n > max)
    throw usage(`unexpected argument ${JSON.stringify(parsed.positionals[max])}`, command.usage);
  return parsed;
}

/**
 * A string option's value (the last one given), or undefined.
 * @example
 * const kb = stringOption(values, "kb");
 */
export function stringOption(values: Parsed["values"], name: string): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) return value.at(-1);
  return typeof value === "string" ? value : undefined;
}

/**
 * A whole-number option (or environment variable) within `[min, max]`; `undefined` when not
 * given. `what` names where the value came from in the error (`--port`, `PORT`).
 * @example
 * const k = intValue(stringOption(values, "k"), "-k", { min: 1, max: 1000 });
 */
export function intValue(
  text: string | undefined,
  what: string,
  range: { min: number; max: number },
): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const n = /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max)
    throw new CliError(
      `invalid ${what} ${JSON.stringify(text)}: a whole number from ${range.min} to ${range.max}`,
      EXIT.USAGE,
    );
  return n;
}

/**
 * The full help of a command: usage line, then its text.
 * @example
 * out.print(helpText(search));
 */
export function helpText(command: Command): string {
  return `usage: ${command.usage}\n\n${command.help.trimEnd()}\n`;
}

/** A command with subcommands (`bots ls`, `kb rm`…). */
export interface CommandGroup {
  name: string;
  /** What `botknobs <group> --help` says before listing the subcommands. */
  help: string;
  subcommands: Command[];
  /** The subcommand run when none is named (`botknobs bots` lists the bots). */
  defaultSubcommand?: string;
}

/**
 * The help of a group: what it is for, and its subcommands with their usage.
 * @example
 * out.print(groupHelp(botsGroup));
 */
export function groupHelp(group: CommandGroup): string {
  const lines = group.subcommands.map((c) => `  ${c.usage}\n      ${c.summary ?? ""}`);
  return `${group.help.trimEnd()}\n\n${lines.join("\n")}\n\n\`botknobs ${group.name} <command> --help\` says more of each.\n`;
}
