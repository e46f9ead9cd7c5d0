/**
 * Labels: named, movable pointers to a bot's versions (`production → 3`, `latest` always the
 * newest) and percentage splits (`canary → 90 % version 3, 10 % version 4`), resolved for a
 * caller key with a stable hash — one key gets one version until the split changes.
 *
 * **How a label move is stored.** Labels live in the record envelope (`ext.labels`, name →
 * version; a split also in `ext.splits`, name → shares, its `labels` entry holding the split's
 * primary version). Setting, moving or removing a label is a *write*: a new head version whose
 * content (config, status, metadata, so the ETag too) is the current one's, whose labels are
 * the new ones, and whose `write_context` says who moved it and why. Why a version, and not an
 * update in place:
 * - it works on every `RecordStore` through the one compare-and-set it already has
 *   (`put` with `expectedVersion`): no new port method, nothing a store must learn;
 * - a move is then ordered against every other write of the bot (a stale `ifVersion` fails, two
 *   movers cannot both win), moves `revision()` (pollers see it) and publishes `updated` (caches
 *   following the bus drop what they hold at once);
 * - `history` is the audit trail: each move is a version with its time, actor and reason, and
 *   the diff between two versions shows `/labels/…` changing.
 *
 * So `version` counts writes, not content changes (the ETag says when content changed), and a
 * label move shows in `history` as a version with the previous version's content. Setting a label
 * to where it already points writes nothing. Retention (`historyLimit`) never drops a version a
 * current label names: it keeps history back to the oldest one.
 * @module
 */
import { ValidationError } from "../errors.ts";
import { ID_PATTERN } from "../id-pattern.ts";

/** The implied label: always the newest version; never stored, never set. */
export const LATEST_LABEL = "latest";

/** The most shares one split may have. */
export const MAX_SPLIT_SHARES = 20;

/** One share of a split: `percent` (an integer 0–100) of keys get `version`. */
export interface SplitShare {
  version: number;
  percent: number;
}

/**
 * Where a label points: one version, or a split between versions whose percents add up to 100
 * (each version once).
 * @example
 * const target: LabelTarget = { split: [{ version: 3, percent: 90 }, { version: 4, percent: 10 }] };
 */
export type LabelTarget = { version: number } | { split: SplitShare[] };

/**
 * A label as it is read: the version it answers without a key (a split's primary: its largest
 * share, the first listed on a tie), and the split when it is one.
 */
export interface LabelView {
  version: number;
  split?: SplitShare[];
}

/**
 * A bot's labels (`latest` first, then by name) at its current version.
 * @example
 * const { version, labels } = await backend.getLabels("support-bot"); // labels.production.version
 */
export interface BotLabels {
  botId: string;
  /** The bot's current version (what `latest` names). */
  version: number;
  /** The bot's current status: a labelled read of a bot that is not active serves nothing. */
  status: string;
  labels: Record<string, LabelView>;
}

/** The wire form of {@link BotLabels}: `{ bot_id, version, status, labels }`. */
export interface BotLabelsDict {
  bot_id: string;
  version: number;
  status: string;
  labels: Record<string, LabelView>;
}

/** The part of `ext` that holds labels. */
export interface LabelExt {
  labels?: Record<string, number>;
  splits?: Record<string, SplitShare[]>;
}

/** Labels as they are read: a stored `ext`, or a `Registration` (its `labels` and `splits`). */
export interface LabelSource {
  readonly labels?: Readonly<Record<string, number>> | undefined;
  readonly splits?: Readonly<Record<string, readonly SplitShare[]>> | undefined;
}

function invalid(path: (string | number)[], message: string): ValidationError {
  return new ValidationError(`Invalid ${path.join(".")}: ${message}`, [{ path, message }]);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isVersion = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 1;

/**
 * A label name, checked: the id rule (`[A-Za-z0-9._:@-]`, 1–256), and not `latest` unless
 * `allowLatest` (reads may name it; writes may not). `ValidationError` naming `label` otherwise.
 * @example
 * checkLabelName("production"); // "production"
 * checkLabelName("latest"); // throws: latest is implied
 */
export function checkLabelName(name: unknown, allowLatest = false): string {
  if (typeof name !== "string" || !ID_PATTERN.test(name))
    throw invalid(["label"], "a label name is 1–256 characters of [A-Za-z0-9._:@-]");
  if (name === LATEST_LABEL && !allowLatest)
    throw invalid(["label"], "'latest' is implied (always the newest version) and cannot be set");
  return name;
}

/**
 * The shares of a split, checked: 1–20 of `{ version, percent }`, versions integers ≥ 1 named
 * once each, percents integers 0–100 adding up to 100. `ValidationError` naming `path`.
 * @example
 * checkSplit([{ version: 3, percent: 90 }, { version: 4, percent: 10 }]);
 */
export function checkSplit(split: unknown, path: (string | number)[] = ["split"]): SplitShare[] {
  if (!Array.isArray(split) || split.length === 0 || split.length > MAX_SPLIT_SHARES)
    throw invalid(path, `expected 1–${MAX_SPLIT_SHARES} shares { version, percent }`);
  const seen = new Set<number>();
  let total = 0;
  const shares = split.map((share: unknown, i): SplitShare => {
    if (!isObject(share) || Object.keys(share).some((k) => k !== "version" && k !== "percent"))
      throw invalid([...path, i], "expected { version, percent }");
    const { version, percent } = share;
    if (!isVersion(version)) throw invalid([...path, i, "version"], "expected an integer ≥ 1");
    if (typeof percent !== "number" || !Number.isInteger(percent) || percent < 0 || percent > 100)
      throw invalid([...path, i, "percent"], "expected an integer from 0 to 100");
    if (seen.has(version))
      throw invalid(path, `names version ${version} twice (each version once, with its share)`);
    seen.add(version);
    total += percent;
    return { version, percent };
  });
  if (total !== 100) throw invalid(path, `the percents add up to ${total}, not 100`);
  return shares;
}

/**
 * A label's target as a request gives it, checked and normalised: `{ version }` or `{ split }`
 * (exactly one); a split of one share is `{ version }`. `ValidationError` otherwise.
 * @example
 * checkLabelTarget({ split: [{ version: 2, percent: 100 }] }); // { version: 2 }
 */
export function checkLabelTarget(target: unknown): LabelTarget {
  if (!isObject(target)) throw invalid(["target"], "expected { version } or { split }");
  const keys = Object.keys(target);
  if (keys.length !== 1 || (keys[0] !== "version" && keys[0] !== "split"))
    throw invalid(["target"], "expected exactly one of { version } or { split }");
  if (keys[0] === "version") {
    if (!isVersion(target.version)) throw invalid(["version"], "expected an integer ≥ 1");
    return { version: target.version };
  }
  const split = checkSplit(target.split);
  return split.length === 1 ? { version: (split[0] as SplitShare).version } : { split };
}

/**
 * The version a split answers without a key: its largest share (the first listed on a tie).
 * @example
 * primaryOf([{ version: 3, percent: 90 }, { version: 4, percent: 10 }]); // 3
 */
export function primaryOf(split: readonly SplitShare[]): number {
  let best = split[0] as SplitShare;
  for (const share of split) if (share.percent > best.percent) best = share;
  return best.version;
}

/**
 * The versions a target names (once each).
 * @example
 * targetVersions({ split: [{ version: 3, percent: 50 }, { version: 4, percent: 50 }] }); // [3, 4]
 */
export function targetVersions(target: LabelTarget): number[] {
  return "split" in target ? target.split.map((s) => s.version) : [target.version];
}

/**
 * Checks the label part of an `ext` about to be stored at `version` (`checkExt` calls it):
 * every split belongs to a label whose version is the split's primary, and names versions from
 * 1 to `version`. `ValidationError` naming `ext.splits.<name>` otherwise.
 */
export function checkSplits(ext: LabelExt, version: number): void {
  const { splits } = ext;
  if (splits === undefined) return;
  if (!isObject(splits)) throw invalid(["ext", "splits"], "expected an object name → shares");
  for (const [name, split] of Object.entries(splits)) {
    const path = ["ext", "splits", name];
    const shares = checkSplit(split, path);
    if (shares.length < 2) throw invalid(path, "a split has at least two shares");
    for (const share of shares)
      if (share.version > version)
        throw invalid(path, `version ${share.version} is above the record's ${version}`);
    if (ext.labels?.[name] !== primaryOf(shares))
      throw invalid(path, `labels.${name} must hold the split's primary version`);
  }
}

/**
 * The labels of a record at `version`, as read (`latest` first, then by name).
 * @example
 * labelViews({ labels: { production: 3 } }, 5); // { latest: { version: 5 }, production: { version: 3 } }
 */
export function labelViews(
  ext: LabelSource | undefined,
  version: number,
): Record<string, LabelView> {
  const views: Record<string, LabelView> = { [LATEST_LABEL]: { version } };
  const labels = ext?.labels ?? {};
  for (const name of Object.keys(labels).sort()) {
    const split = ext?.splits?.[name];
    views[name] = split
      ? { version: labels[name] as number, split: split.map((s) => ({ ...s })) }
      : { version: labels[name] as number };
  }
  return views;
}

/**
 * The label part of an `ext` with `name` pointing at `target` (or removed, when `target` is
 * `null`); the input is not changed. Empty parts are left out.
 * @example
 * withLabel({ labels: { a: 1 } }, "b", { version: 2 }); // { labels: { a: 1, b: 2 } }
 */
export function withLabel(
  ext: LabelSource | undefined,
  name: string,
  target: LabelTarget | null,
): LabelExt {
  const labels: Record<string, number> = { ...ext?.labels };
  const splits: Record<string, SplitShare[]> = {};
  for (const [n, shares] of Object.entries(ext?.splits ?? {}))
    splits[n] = shares.map((s) => ({ ...s }));
  delete labels[name];
  delete splits[name];
  if (target !== null) {
    if ("split" in target) {
      labels[name] = primaryOf(target.split);
      splits[name] = target.split.map((s) => ({ ...s }));
    } else labels[name] = target.version;
  }
  return {
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(Object.keys(splits).length > 0 ? { splits } : {}),
  };
}

/**
 * True when `name` already points at `target` in `ext`.
 * @example
 * sameTarget({ labels: { a: 2 } }, "a", { version: 2 }); // true
 */
export function sameTarget(
  ext: LabelSource | undefined,
  name: string,
  target: LabelTarget,
): boolean {
  const split = ext?.splits?.[name];
  if ("split" in target)
    return (
      split !== undefined &&
      split.length === target.split.length &&
      split.every(
        (s, i) => s.version === target.split[i]?.version && s.percent === target.split[i]?.percent,
      )
    );
  return split === undefined && ext?.labels?.[name] === target.version;
}

/**
 * The oldest version any label of `ext` names (retention keeps history back to it), or
 * `undefined` when there are no labels.
 * @example
 * oldestLabelled({ labels: { a: 4, b: 2 } }); // 2
 */
export function oldestLabelled(ext: LabelSource | undefined): number | undefined {
  let oldest: number | undefined;
  const see = (v: number): void => {
    if (oldest === undefined || v < oldest) oldest = v;
  };
  for (const v of Object.values(ext?.labels ?? {})) see(v);
  for (const split of Object.values(ext?.splits ?? {})) for (const s of split) see(s.version);
  return oldest;
}

// FNV-1a (32 bits) over UTF-16 code units, continued from `h`.
function fnv(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * The hash state a split's buckets start from: FNV-1a of `botId \0 label \0` (see
 * {@link bucketOf}). Computed once per label by a cache.
 * @example
 * const seed = splitSeed("support-bot", "canary");
 */
export function splitSeed(botId: string, label: string): number {
  return fnv(fnv(fnv(fnv(0x811c9dc5 | 0, botId), "\0"), label), "\0");
}

/**
 * The bucket (0–9,999) of a caller key under a split's seed: FNV-1a continued over the key, then
 * the murmur3 finaliser so that keys differing in one character spread over all buckets. Stable
 * across processes, runtimes and releases (a key keeps its version while the split is unchanged).
 * @example
 * bucketOf(splitSeed("support-bot", "canary"), "user-42"); // the same number everywhere
 */
export function bucketOf(seed: number, key: string): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 10_000;
}

/**
 * The version of a split for a bucket: shares take consecutive ranges of buckets in the order
 * listed (90/10: buckets 0–8,999 and 9,000–9,999), so raising the last share's percent only
 * moves keys onto it (list the new version last).
 * @example
 * pickShare([{ version: 3, percent: 90 }, { version: 4, percent: 10 }], 9500); // 4
 */
export function pickShare(split: readonly SplitShare[], bucket: number): number {
  let bound = 0;
  for (const share of split) {
    bound += share.percent * 100;
    if (bucket < bound) return share.version;
  }
  return (split[split.length - 1] as SplitShare).version;
}

/**
 * The version `label` answers for `key` in a record's labels at `version`: `latest` is
 * `version`; a split picks by the key's bucket (its primary without a key); `undefined` when the
 * record has no such label.
 * @example
 * resolveLabel("support-bot", { labels: { production: 3 } }, 5, "production"); // 3
 */
export function resolveLabel(
  botId: string,
  ext: LabelSource | undefined,
  version: number,
  label: string,
  key?: string,
): number | undefined {
  if (label === LATEST_LABEL) return version;
  const split = ext?.splits?.[label];
  if (split !== undefined && key !== undefined)
    return pickShare(split, bucketOf(splitSeed(botId, label), key));
  return ext?.labels?.[label];
}
