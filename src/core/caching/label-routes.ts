/**
 * What a caching manager keeps per bot to serve labels without reading the registry: per
 * label, the versions it resolves to, each with the cached instance node once one is built — so
 * a labelled hit, a split's included, is two map reads, one hash of the caller's key and an
 * array read.
 * @module
 */
import { bucketOf, type SplitShare, splitSeed } from "../registry/labels.ts";
import type { Registration } from "../registry/registration.ts";
import type { LruNode } from "./lru.ts";

/** How one label resolves, and the instance node of each of its versions once cached. */
export interface Route<T> {
  /** The split's shares (`undefined` for a plain label). */
  readonly split: readonly SplitShare[] | undefined;
  /** Upper bucket bound of each share (`bucketOf` is below it), aligned with `versions`. */
  readonly bounds: readonly number[];
  /** The hash state of `botId \0 label \0` (see `bucketOf`). */
  readonly seed: number;
  /** The versions it serves (one for a plain label; a split's, in its order). */
  readonly versions: readonly number[];
  /** Where in `versions` the version it serves without a key is (a split's primary). */
  readonly primary: number;
  /** Instance nodes aligned with `versions` (those cached so far; one may have left the cache). */
  readonly nodes: (LruNode<T> | undefined)[];
  /**
   * `nodes[primary]` at hand: what a plain label, or a split without a key, serves — one read
   * less on the hot path. Set with the array by {@link setRouteNode}.
   */
  node: LruNode<T> | undefined;
  /** Until when the labels read are fresh (the manager's clock, ms: the read's time + the TTL). */
  readonly until: number;
}

/** One bot's labels as of one read. */
export interface RouteTable<T> {
  /** Versions whose content came with the read (the one the read served). */
  readonly known: Map<number, Registration>;
  /** When it was read (the manager's clock, ms). */
  readonly at: number;
  readonly routes: Map<string, Route<T>>;
}

/**
 * The routes of a bot's labels from a registration carrying its current labels (the current
 * one, or what a labelled read served, which is kept in `known`); `latest` is served by the
 * manager's plain path, so it has no route.
 * `at` is when it was read and `ttlMs` how long it stays fresh.
 * @example
 * const table = routeTable(await backend.getLabeled("support-bot", "canary", { peek: true }), now(), 300_000);
 */
export function routeTable<T>(head: Registration, at: number, ttlMs: number): RouteTable<T> {
  const routes = new Map<string, Route<T>>();
  for (const [name, version] of Object.entries(head.labels)) {
    const split = head.splits[name];
    const versions = split ? split.map((s) => s.version) : [version];
    const bounds: number[] = [];
    for (const share of split ?? []) bounds.push((bounds.at(-1) ?? 0) + share.percent * 100);
    routes.set(name, {
      split,
      bounds: split ? bounds : [10_000],
      seed: splitSeed(head.botId, name),
      versions,
      primary: Math.max(0, versions.indexOf(version)),
      nodes: versions.map(() => undefined),
      node: undefined,
      until: at + ttlMs,
    });
  }
  return { known: new Map([[head.version, head]]), at, routes };
}

/**
 * Caches the instance node of `route.versions[index]` in the route (and as its `node` when it
 * is the primary's).
 * @example
 * setRouteNode(route, indexFor(route, key), node);
 */
export function setRouteNode<T>(route: Route<T>, index: number, node: LruNode<T>): void {
  route.nodes[index] = node;
  if (index === route.primary) route.node = node;
}

/**
 * Where in `route.versions` the version for `key` is (its primary without one, or when it does
 * not split): the same choice as `pickShare`.
 * @example
 * route.versions[indexFor(route, "user-42")]; // 3 or 4 for a 90/10 split, the same every call
 */
export function indexFor<T>(route: Route<T>, key: string | undefined): number {
  if (route.split === undefined || key === undefined) return route.primary;
  const bucket = bucketOf(route.seed, key);
  const bounds = route.bounds;
  let i = 0;
  while (i < bounds.length - 1 && bucket >= (bounds[i] as number)) i++;
  return i;
}
