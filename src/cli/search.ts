/**
 * `botknobs search NAME "query" [-k N] [--json]`: the best chunks of a knowledge base for a
 * query — a table for people (rank, score, file, heading, text), the API's answer with `--json`.
 * @module
 */

import { type Command, intValue, stringOption } from "./args.ts";
import { EXIT } from "./errors.ts";
import { clip, paint, table } from "./output.ts";
import { TARGET_HELP, TARGET_OPTIONS, withTarget } from "./target.ts";

/** `botknobs search`. */
export const searchCommand: Command = {
  name: "search",
  usage: 'botknobs search NAME "query" [-k N] [--json] [--server URL | --data DIR]',
  help: `Searches the knowledge base NAME and prints its best chunks, best first.

  -k N           how many (1–100, default 5)
  --json         the server's answer as JSON: { query, k, results: [{ text, source, heading_path, similarity, metadata }] }
${TARGET_HELP}

example: botknobs search support "reset password" -k 3`,
  options: { ...TARGET_OPTIONS, k: { type: "string", short: "k" }, json: { type: "boolean" } },
  positionals: [2, 2],
  async run({ values, positionals }, out) {
    const [name, query] = positionals as [string, string];
    const k = intValue(stringOption(values, "k"), "-k", { min: 1, max: 100 }) ?? 5;
    const answer = await withTarget(values, { create: false }, (t) => t.api.search(name, query, k));
    if (values.json) {
      out.json(answer);
      return EXIT.OK;
    }
    if (answer.results.length === 0) {
      out.note(`no results for ${JSON.stringify(query)} in '${name}'`);
      return EXIT.OK;
    }
    const rows = answer.results.map((hit, i) => [
      String(i + 1),
      hit.similarity.toFixed(3),
      hit.source,
      clip(hit.heading_path, 40),
      // Piped, each text on one line at a readable length; on a terminal, cut to its width.
      clip(hit.text, 160),
    ]);
    out.print(table(out, ["#", "SCORE", "FILE", "HEADING", "TEXT"], rows, { right: [0, 1] }));
    out.note(paint(out.errColor, "dim", `${rows.length} result(s) from '${name}'`));
    return EXIT.OK;
  },
};
