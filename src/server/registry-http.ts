/**
 * What the registry routes share: the path's bot id, the registration response, the write
 * context of a request (the token's name as actor, the body's reason), and `If-Match` turned
 * into a version (412 when stale).
 * @module
 */
import type { Context } from "hono";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import type { Registration } from "../core/registry/registration.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import { validateBotId } from "../core/validate.ts";
import { principalOf } from "./auth.ts";
import { ApiError, ApiErrorCode } from "./errors.ts";

/**
 * The actor of writes when the API has no tokens (nobody is known).
 * @example
 * writeContext(c, undefined).actor; // "anonymous" on an open API
 */
export const ANONYMOUS_ACTOR = "anonymous";

/**
 * The write context of a request: the actor is the name of the request's token (never the
 * token; `anonymous` on an open API), the reason what the body gave.
 * @example
 * await registry.update(id, config, { ...writeContext(c, input.reason) });
 */
export function writeContext(
  c: Context,
  reason: string | undefined,
): { actor: string; reason?: string } {
  const actor = principalOf(c)?.name ?? ANONYMOUS_ACTOR;
  return reason === undefined ? { actor } : { actor, reason };
}

import { labelsEtag } from "./label-etags.ts";
import { type IfMatch, matchesIfMatch, quoteEtag } from "./preconditions.ts";

/**
 * The response header of a labelled read naming the version served (`GET /bots/{id}?label=`).
 * @example
 * const served = Number(response.headers.get(SERVED_VERSION_HEADER));
 */
export const SERVED_VERSION_HEADER = "Botknobs-Version";
/** The response header of a labelled read naming the label asked for. */
export const SERVED_LABEL_HEADER = "Botknobs-Label";

/**
 * The bot id of the path (400 naming `botId` when it is not one).
 * @example
 * const id = botId(c);
 */
export function botId(c: Context): string {
  return validateBotId(c.req.param("id"), "botId");
}

/**
 * A registration response: the wire form, with its ETag.
 * @example
 * return registration(reg, 201);
 */
export function registration(reg: Registration, status: 200 | 201 = 200): Response {
  // Text the store kept is served as is, and a plain-object header init builds no `Headers`:
  // this is the hot read path.
  return new Response(reg.toJSONText(), {
    status,
    headers: { "content-type": "application/json", etag: quoteEtag(reg.etag) },
  });
}

/**
 * The `ifVersion` an `If-Match` asks for: one version as is (the backend's compare-and-set
 * checks it, no extra read); ETags or several versions against the current registration.
 * `NotFoundError` when the bot is missing, `ConflictError` when nothing matches.
 * @example
 * const ifVersion = await ifMatchVersion(registry, id, parseIfMatch('"3"')); // 3
 */
export async function ifMatchVersion(
  registry: RegistryBackend,
  id: string,
  ifMatch: IfMatch,
): Promise<number | undefined> {
  if (ifMatch.any) return undefined;
  if (ifMatch.versions.length === 1 && ifMatch.etags.length === 0) return ifMatch.versions[0];
  const current = await registry.peek(id);
  if (!current) throw new NotFoundError(`Bot '${id}' not found`);
  // An ETag may be the labels' (`<version>.<hash>`): compared with the labels now.
  const labels = await registry.getLabels(id);
  const labelsTag = labels ? labelsEtag(labels) : "";
  if (!matchesIfMatch(ifMatch, current.version, current.etag, labelsTag)) {
    throw new ConflictError(
      `Bot '${id}' is at version ${current.version} (etag ${current.etag}), which If-Match does not name`,
    );
  }
  return current.version;
}

/**
 * A 412 Precondition Failed.
 * @example
 * throw preconditionFailed("Bot 'x' is at version 3");
 */
export function preconditionFailed(
  message: string,
  code: string = ApiErrorCode.PRECONDITION_FAILED,
): ApiError {
  return new ApiError(412, code, message);
}
