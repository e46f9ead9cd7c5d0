/**
 * `botknobs eval DIR`: nDCG@10 and Recall@100 of a BEIR-format folder through the real
 * ingestion path (beir.ts), so that a team can measure search on its own judged queries.
 * `npm run eval:beir` runs this command.
 * @module
 */
import { type Command, intValue, stringOption } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import { Progress } from "./progress.ts";

/** `botknobs eval`. */
export const evalCommand: Command = {
  name: "eval",
  usage: "botknobs eval DIR [--split test|dev|train] [--max-queries N] [--json]",
  help: `Measures search on a BEIR-format folder: DIR/corpus.jsonl (or .jsonl.gz; one
{"_id", "title", "text"} a line), DIR/queries.jsonl ({"_id", "text"}) and DIR/qrels/<split>.tsv
(query-id, corpus-id, score; a header line). Each document becomes a knowledge file
("# title" + text), is ingested as \`botknobs ingest\` would (heading-aware chunks, BM25) and each
judged query is searched; the ranking is by best chunk per document. Prints nDCG@10 and
Recall@100 (BEIR / trec_eval definitions) with ingestion and query timings. Nothing is written.

  --split S          the qrels to use (default: the first of test, dev, train that exists)
  --max-queries N    score only the first N judged queries
  --json             the measurements as JSON

example: botknobs eval ../shared/data/scifact --split train`,
  options: {
    split: { type: "string" },
    "max-queries": { type: "string" },
    json: { type: "boolean" },
  },
  positionals: [1, 1],
  async run({ values, positionals }, out) {
    const dir = positionals[0] as string;
    const maxQueries = intValue(stringOption(values, "max-queries"), "--max-queries", {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    });
    const { evaluateBeir, loadBeir } = await import("./beir.ts");
    const beir = loadBeir(dir, stringOption(values, "split"));
    if (beir.queries.length === 0)
      throw new CliError(
        `${dir}: no query of the ${beir.split} split has a relevant document in qrels/${beir.split}.tsv`,
        EXIT.USAGE,
      );
    const queries = Math.min(beir.queries.length, maxQueries ?? Number.POSITIVE_INFINITY);
    if (!values.json)
      out.print(`${dir}: ${beir.corpus.length} documents, ${queries} judged ${beir.split} queries`);
    let bar: Progress | undefined;
    const report = await evaluateBeir(beir, {
      ...(maxQueries === undefined ? {} : { maxQueries }),
      onProgress: (done, total, chunks) => {
        bar ??= new Progress(out, "ingest", { files: total });
        bar.update({ files: done, chunks });
      },
    });
    bar?.finish({ files: report.documents, chunks: report.chunks });
    if (values.json) {
      out.json({ dir, ...report });
      return report.ingestErrors.length > 0 ? EXIT.FAILED : EXIT.OK;
    }
    if (report.ingestErrors.length > 0)
      out.print(`errors: ${JSON.stringify(report.ingestErrors.slice(0, 5))}`);
    out.print(
      `upload ${report.uploadSeconds.toFixed(2)} s; ingest ${report.files} files → ${report.chunks} chunks in ${report.ingestSeconds.toFixed(2)} s (${(report.bytes / 1e6 / report.ingestSeconds).toFixed(1)} MB/s)`,
    );
    out.print(`nDCG@10     ${report.ndcg10.toFixed(4)}`);
    out.print(`Recall@100  ${report.recall100.toFixed(4)}`);
    out.print(
      `query       p50 ${report.queryP50Ms.toFixed(2)} ms, p95 ${report.queryP95Ms.toFixed(2)} ms (top 100 files, full query path)`,
    );
    return report.ingestErrors.length > 0 ? EXIT.FAILED : EXIT.OK;
  },
};
