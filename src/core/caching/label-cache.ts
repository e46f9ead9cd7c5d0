/**
 * {@link LabelCache}: the labelled side of a `CachingRegistryManager` — per bot, its route table
 * (labels read from the current registration) and its instances by version (LRU keys
 * `botId \0 version`), each version created once however many callers ask at once. Instances
 * live in the manager's one LRU (same TTL, size limit and destroy-exactly-once); this keeps the
 * routes to them.
 * @module
 */
import { NotFoundError } from "../errors.ts";
import type { Registration } from "../registry/registration.ts";
import type { RegistryBackend } from "../registry/types.ts";
import { indexFor, type Route, type RouteTable, routeTable, setRouteNode } from "./label-routes.ts";
import type { LruNode } from "./lru.ts";

/** What the manager lends the label cache. */
export interface LabelCacheHost<T> {
  readonly backend: RegistryBackend;
  readonly ttlMs: number;
  now(): number;
  /** Counts a hit and marks the node most recently used. */
  hit(node: LruNode<T>): void;
  /** Counts a miss. */
  miss(): void;
  /** Builds an instance (`createInstance`, counted; a `ClosedError` when the manager closed). */
  build(botId: string, registration: Registration): Promise<T>;
  /** Caches an instance under `key`, replacing one there. */
  keep(key: string, instance: T, version: number, force: boolean): LruNode<T>;
  /** Destroys an instance that is not kept. */
  destroy(instance: T): void;
}

/**
 * One bot's labels in the cache: its route table (or the read under way) and its instances by
 * version. Invalidating the bot drops the whole state; work under way that finds its state
 * replaced knows it is stale.
 */
interface LabelState<T> {
  table: RouteTable<T> | undefined;
  /** The labels this bot has in `LabelCache.routes` (those of its last table). */
  routed: string[];
  loading: Promise<RouteTable<T>> | undefined;
  nodes: Map<number, LruNode<T>>;
  flights: Map<number, Promise<LruNode<T> | undefined>>;
}

/** The separator of a version's LRU key (bot ids never hold it). */
const SEP = "\0";

/**
 * Label routes and version instances of a caching manager.
 * @example
 * const labels = new LabelCache(host);
 * const node = labels.hit("support-bot", "canary", "user-42") ?? (await labels.miss("support-bot", "canary", "user-42", false));
 */
export class LabelCache<T> {
  readonly #host: LabelCacheHost<T>;
  readonly #states = new Map<string, LabelState<T>>();
  /**
   * The hot path's view, read by the manager itself (a call less per hit): label → bot id →
   * route, for each bot's current table. Label first: a caller asks for few labels, so the
   * outer lookup stays in the processor's cache and a hit costs one map lookup more than a
   * plain hit. A label's map, once made, is never replaced (emptied, not deleted).
   */
  readonly routes: Map<string, Map<string, Route<T>>> = new Map();

  constructor(host: LabelCacheHost<T>) {
    this.#host = host;
  }

  /**
   * The instance node a label (and key) resolves to, reading the bot's labels and building the
   * version's instance as needed; `force` reads and builds anew. `NotFoundError` for a missing
   * or inactive bot, a missing label, or a version no longer kept.
   */
  async miss(
    botId: string,
    label: string,
    key: string | undefined,
    force: boolean,
  ): Promise<LruNode<T>> {
    for (let attempt = 0; ; attempt++) {
      const state = this.#stateOf(botId);
      const table = await this.#tableOf(botId, state, force && attempt === 0, label, key);
      const route = table.routes.get(label);
      if (route === undefined) throw new NotFoundError(`Bot '${botId}' has no label '${label}'`);
      const index = indexFor(route, key);
      const node = await this.#versionNode(
        botId,
        route.versions[index] as number,
        label,
        state,
        table,
        {
          force: force && attempt === 0,
          keepStale: attempt >= 3,
        },
      );
      // Invalidated meanwhile (a label moved, the bot changed): read the labels again.
      if (node === undefined) continue;
      setRouteNode(route, index, node);
      return node;
    }
  }

  /** Forgets a bot's labels; returns its version nodes (for the manager to remove and destroy). */
  drop(botId: string): LruNode<T>[] {
    const state = this.#states.get(botId);
    if (state === undefined) return [];
    this.#unroute(botId, state);
    this.#states.delete(botId);
    return [...state.nodes.values()];
  }

  /** Forgets every bot's labels (the manager removes the nodes itself). */
  clear(): void {
    this.#states.clear();
    for (const bots of this.routes.values()) bots.clear();
  }

  /** A node left the LRU: a version's node leaves its bot's state too. */
  forget(node: LruNode<T>): void {
    const cut = node.key.indexOf(SEP);
    if (cut === -1) return;
    const nodes = this.#states.get(node.key.slice(0, cut))?.nodes;
    if (nodes?.get(node.version) === node) nodes.delete(node.version);
  }

  /** Puts a bot's new routes where the hot path reads them, replacing its old ones. */
  #route(botId: string, state: LabelState<T>, table: RouteTable<T>): void {
    this.#unroute(botId, state);
    for (const [name, route] of table.routes) {
      let bots = this.routes.get(name);
      if (bots === undefined) {
        bots = new Map();
        this.routes.set(name, bots);
      }
      bots.set(botId, route);
    }
    state.routed = [...table.routes.keys()];
  }

  /** Takes a bot's routes out of the hot path's view. */
  #unroute(botId: string, state: LabelState<T>): void {
    // A label's map stays once made (the manager keeps the last one it read at hand).
    for (const name of state.routed) this.routes.get(name)?.delete(botId);
    state.routed = [];
  }

  #stateOf(botId: string): LabelState<T> {
    let state = this.#states.get(botId);
    if (state === undefined) {
      state = {
        table: undefined,
        routed: [],
        loading: undefined,
        nodes: new Map(),
        flights: new Map(),
      };
      this.#states.set(botId, state);
    }
    return state;
  }

  /**
   * The bot's route table: the fresh one, the read under way (a failed one is read again for this
   * label), or a new read. A read is one `getLabeled` — the registration `label` serves for
   * `key`, with the bot's current labels — so a client of a remote registry makes one request,
   * and has the first version's content in hand (`known`).
   */
  async #tableOf(
    botId: string,
    state: LabelState<T>,
    force: boolean,
    label: string,
    key: string | undefined,
  ): Promise<RouteTable<T>> {
    const table = state.table;
    if (!force && table !== undefined && this.#host.now() - table.at < this.#host.ttlMs)
      return table;
    if (state.loading) {
      try {
        return await state.loading;
      } catch {
        // Read for another label, which this bot may not have: read for this one.
      }
    }
    state.loading ??= (async () => {
      try {
        const served = await this.#host.backend.getLabeled(botId, label, {
          peek: true,
          ...(key === undefined ? {} : { key }),
        });
        if (!served) throw new NotFoundError(`No configuration found for: ${botId}`);
        const read = routeTable<T>(served, this.#host.now(), this.#host.ttlMs);
        state.table = read;
        if (this.#states.get(botId) === state) this.#route(botId, state, read);
        return read;
      } catch (error) {
        // A bot that cannot be served leaves no state behind (unless it holds instances).
        if (state.nodes.size === 0 && this.#states.get(botId) === state) this.#states.delete(botId);
        throw error;
      } finally {
        state.loading = undefined;
      }
    })();
    return state.loading;
  }

  /**
   * The cached instance of one version of a bot, or one creation of it shared by every caller.
   * `undefined` when the bot was invalidated while it was built (the instance is destroyed;
   * the caller reads the labels again), unless `keepStale` (after repeated invalidations).
   */
  #versionNode(
    botId: string,
    version: number,
    label: string,
    state: LabelState<T>,
    table: RouteTable<T>,
    how: { force: boolean; keepStale: boolean },
  ): Promise<LruNode<T> | undefined> {
    const host = this.#host;
    const cached = state.nodes.get(version);
    if (!how.force && cached?.live && host.now() - cached.cachedAt < host.ttlMs) {
      host.hit(cached);
      return Promise.resolve(cached);
    }
    const inFlight = state.flights.get(version);
    if (inFlight) return inFlight;
    host.miss();
    const flight = (async (): Promise<LruNode<T> | undefined> => {
      const registration =
        table.known.get(version) ?? (await host.backend.getVersion(botId, version));
      if (!registration) {
        throw new NotFoundError(
          `Version ${version} of bot '${botId}' (label '${label}') is no longer kept`,
        );
      }
      const instance = await host.build(botId, registration);
      if (this.#states.get(botId) !== state && !how.keepStale) {
        host.destroy(instance);
        return undefined;
      }
      const node = host.keep(`${botId}${SEP}${version}`, instance, version, how.force);
      this.#stateOf(botId).nodes.set(version, node);
      return node;
    })().finally(() => {
      if (state.flights.get(version) === flight) state.flights.delete(version);
    });
    state.flights.set(version, flight);
    return flight;
  }
}
