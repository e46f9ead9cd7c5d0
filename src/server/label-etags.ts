/**
 * The ETags of label-dependent responses. A bot's `etag` is its content's hash (config and
 * status): a label move writes a version of equal content, so that tag does not change — and a
 * response that shows labels, or the version a label serves, must not be revalidated by it
 * (a 304 would keep the old labels and version). These tags add what such a response shows:
 * - a labelled read (`GET /bots/{id}?label=…[&key=…]`): `<etag>.<served version>.<hash>`, the
 *   hash over the bot's labels and splits and the served version's write time;
 * - the labels (`GET /bots/{id}/labels`): `<version>.<hash>`, the hash over status and labels.
 *   It names the bot's state, so it also serves as an `If-Match` (`parseIfMatch` reads it).
 * The hash is FNV-1a (32 bits): it tells states of one bot apart; it is no secret.
 * @module
 */
import type { BotLabels } from "../core/registry/labels.ts";
import type { Registration } from "../core/registry/registration.ts";
import { fnv1a } from "../core/util/fnv.ts";

const hex = (h: number): string => (h >>> 0).toString(36);

/**
 * The ETag value (unquoted) of a labelled read of `reg` — the registration a label served, with
 * the bot's current labels: changes when the served version, its content, or any label or split
 * of the bot changes.
 * @example
 * const etag = quoteEtag(labelledEtag(await registry.getLabeled(id, "canary", { key })));
 */
export function labelledEtag(reg: Registration): string {
  const shown = JSON.stringify([reg.labels, reg.splits, reg.updatedAt.getTime()]);
  return `${reg.etag}.${reg.version}.${hex(fnv1a(shown))}`;
}

/**
 * The ETag value (unquoted) of a bot's labels: its version, then a hash of its status and
 * labels — what `GET /bots/{id}/labels` answers, so equal bodies have equal tags.
 * @example
 * labelsEtag({ botId: "b", version: 4, status: "active", labels }); // "4.1x0c2a9"
 */
export function labelsEtag(labels: Pick<BotLabels, "version" | "status" | "labels">): string {
  return `${labels.version}.${hex(fnv1a(JSON.stringify([labels.status, labels.labels])))}`;
}

/** What a labels ETag looks like (`parseIfMatch` tells it from a version and a content ETag). */
export const LABELS_ETAG: RegExp = /^\d+\.\w+$/;
