/**
 * A bot's knowledge pinned with its config: the top-level config key `knowledge_pin`
 * (`{ "kb": "support", "revision": "<commit id>" }`) names the knowledge base and the revision
 * of its search index that the version was tested with.
 *
 * **Why a config key.** The pin is part of what a version *is*, so it rides with the config: a
 * rollback restores it (and so the knowledge view), a label serving version 3 serves version 3's
 * pin, a split gives each version its own, the ETag changes when it does, `diff` and the audit
 * trail show it moving (`/config/knowledge_pin/revision`), exports carry it — all with no change
 * to any store. The key is `knowledge_pin`, not `knowledge`, because configs already use
 * `knowledge` for their own purposes (a `$resource` reference to a knowledge backend, say).
 *
 * A revision is an index commit id (`IndexCommit.version`, what `GET /kb/{id}/revisions` lists):
 * searching through the bot answers as of it for as long as the index history keeps it
 * (`BlobSearchIndex`'s `keepRevisions`), then with `RevisionGoneError` (HTTP 410).
 * @module
 */
import { ValidationError } from "../errors.ts";
import { ID_PATTERN } from "../id-pattern.ts";
import { type JsonObject, validateJsonObject } from "../validate.ts";

/** The config key of a {@link KnowledgePin}. */
export const KNOWLEDGE_PIN_KEY = "knowledge_pin";

/** The longest revision id (an index commit id is at most 200 characters). */
export const MAX_REVISION_CHARS = 200;

/** The knowledge a bot version was tested with. */
export interface KnowledgePin {
  /** The knowledge base (its domain id). */
  kb: string;
  /** A revision of its search index: a commit id. */
  revision: string;
}

function invalid(path: string[], message: string): ValidationError {
  return new ValidationError(`Invalid ${path.join(".")}: ${message}`, [{ path, message }]);
}

/**
 * A revision id, checked: a string of 1–200 characters. `ValidationError` naming `field`.
 * @example
 * checkRevision(url.searchParams.get("revision"));
 */
export function checkRevision(revision: unknown, field = "revision"): string {
  if (typeof revision !== "string" || revision === "" || revision.length > MAX_REVISION_CHARS)
    throw invalid([field], `expected a revision id of 1–${MAX_REVISION_CHARS} characters`);
  return revision;
}

/**
 * The pin of a bot config (its `knowledge_pin`), checked: `{ kb, revision }`, `kb` a domain id
 * and `revision` 1–200 characters, nothing else. `null` when the config has none;
 * `ValidationError` naming `config.knowledge_pin…` when it is malformed.
 * @example
 * knowledgePinOf({ llm: {}, knowledge_pin: { kb: "support", revision: "r1" } }); // { kb, revision }
 */
export function knowledgePinOf(config: JsonObject): KnowledgePin | null {
  const pin = config[KNOWLEDGE_PIN_KEY];
  const path = ["config", KNOWLEDGE_PIN_KEY];
  if (pin === undefined) return null;
  if (typeof pin !== "object" || pin === null || Array.isArray(pin))
    throw invalid(path, "expected { kb, revision }");
  for (const key of Object.keys(pin))
    if (key !== "kb" && key !== "revision")
      throw invalid([...path, key], "unknown field (a pin is { kb, revision })");
  const { kb, revision } = pin as { kb?: unknown; revision?: unknown };
  if (typeof kb !== "string" || !ID_PATTERN.test(kb))
    throw invalid([...path, "kb"], "expected a knowledge base id ([A-Za-z0-9._:@-], 1–256)");
  return { kb, revision: checkRevision(revision, [...path, "revision"].join(".")) };
}

/**
 * A bot config about to be written, checked: a JSON object of at most `maxBytes` bytes
 * (`validateJsonObject`) whose `knowledge_pin`, when there is one, is well formed. Returns
 * the deep copy to store. `ValidationError` otherwise, so nothing is written.
 * @example
 * const config = checkBotConfig(input, 1024 * 1024);
 */
export function checkBotConfig(config: unknown, maxBytes: number): JsonObject {
  const { value } = validateJsonObject(config, "config", maxBytes);
  knowledgePinOf(value);
  return value;
}
