/**
 * Every unit-test file, run with one harness; `test/conformance/all.ts` calls it, so the cases run
 * on Node, workerd, Chromium, Deno and Bun. One file per source folder: the cases of
 * `src/core/<path>/` (or of `src/core/<file>.ts`) are in `test/unit/<path>.ts`; a subfolder with
 * files of its own has its own file (`knowledge/index/bm25.ts` beside `knowledge/index.ts`).
 * Nothing here may need a file system or a Node API: such cases belong under `test/node/`.
 *
 * | source (`src/core/…`)                  | unit cases (`test/unit/…`)                      |
 * | -------------------------------------- | ----------------------------------------------- |
 * | `errors.ts`, `portability.ts`          | `errors.ts`, `portability.ts`                   |
 * | `config/`, `events/`, `registry/`      | `config.ts`, `events.ts`, `registry.ts`         |
 * | `reload/`, `util/`                     | `reload.ts`, `util.ts`                          |
 * | `registry/labels.ts`, `util/json-patch.ts` | `registry/labels.ts`, `util/json-patch.ts`  |
 * | `registry/knowledge-pin.ts` (with the search it pins) | `registry/knowledge-pin.ts`      |
 * | `knowledge/` (`ingestion.ts`, through `search/`) | `knowledge.ts`                        |
 * | `knowledge/chunk/`                     | `knowledge/chunk.ts`                            |
 * | `knowledge/ingest/` (the ingestion step) | `knowledge/ingest.ts`                         |
 * | `knowledge/ingestion.ts` (runs from two places) | `knowledge/ingestion.ts`               |
 * | `knowledge/index/`, its `bm25/`        | `knowledge/index.ts`, `knowledge/index/bm25.ts` |
 * | `registry/blob-record-store.ts` (crash and race leftovers) | `registry/blob-record-store.ts` |
 *
 * `blob/`, `caching/`, `knowledge/store/` and `knowledge/embed/` are covered by their ports'
 * conformance suites (`src/testing/`), run from `test/conformance/all.ts`.
 */
import type { TestHarness } from "../../src/testing/index.ts";
import { configUnits } from "./config.ts";
import { errorsUnits } from "./errors.ts";
import { eventsUnits } from "./events.ts";
import { chunkUnits } from "./knowledge/chunk.ts";
import { bm25Units } from "./knowledge/index/bm25.ts";
import { indexUnits } from "./knowledge/index.ts";
import { ingestUnits } from "./knowledge/ingest.ts";
import { ingestionUnits } from "./knowledge/ingestion.ts";
import { knowledgeUnits } from "./knowledge.ts";
import { portabilityUnits } from "./portability.ts";
import { blobRecordStoreUnits } from "./registry/blob-record-store.ts";
import { knowledgePinUnits } from "./registry/knowledge-pin.ts";
import { labelsUnits } from "./registry/labels.ts";
import { registryUnits } from "./registry.ts";
import { reloadUnits } from "./reload.ts";
import { jsonPatchUnits } from "./util/json-patch.ts";
import { utilUnits } from "./util.ts";

/** Registers every unit case with `h`, `runtime` naming where they run. */
export function runUnits(h: TestHarness, runtime: string): void {
  errorsUnits(h, runtime);
  eventsUnits(h, runtime);
  registryUnits(h, runtime);
  labelsUnits(h, runtime);
  knowledgePinUnits(h, runtime);
  blobRecordStoreUnits(h, runtime);
  portabilityUnits(h, runtime);
  configUnits(h, runtime);
  utilUnits(h, runtime);
  jsonPatchUnits(h, runtime);
  reloadUnits(h, runtime);
  chunkUnits(h, runtime);
  bm25Units(h, runtime);
  knowledgeUnits(h, runtime);
  indexUnits(h, runtime);
  ingestUnits(h, runtime);
  ingestionUnits(h, runtime);
}
