/**
 * The revision `GET /bots` serves, made safe over an eventually consistent registry: a listing
 * may lag the revision by up to the backend's `visibilityLagMs`, so until a revision has been
 * seen for that long the route serves it with a unique suffix (never cached, never a 304, and a
 * client polling `revision()` sees it move and lists again); after that, the plain revision,
 * whose listing is complete. On a strongly consistent registry it is the revision as is.
 * @module
 */

/** What the list route serves for one request. */
export interface ServedRevision {
  /** The revision to send (body and ETag). */
  value: string;
  /** True when a listing made now is complete for this revision (it may be cached and 304'd). */
  settled: boolean;
}

/**
 * Tracks when each revision was first seen and decides whether it has settled.
 * @example
 * const revisions = new RevisionSettler();
 * const served = revisions.observe(await registry.revision(), registry.visibilityLagMs ?? 0);
 */
export class RevisionSettler {
  readonly #now: () => number;
  #last: string | null = null;
  #firstSeen = 0;
  #counter = 0;
  readonly #nonce: string = crypto.randomUUID().slice(0, 8);

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** `revision` as just returned by the registry, with the registry's lag bound (ms). */
  observe(revision: string, lagMs: number): ServedRevision {
    if (!(lagMs > 0)) return { value: revision, settled: true };
    const now = this.#now();
    if (revision !== this.#last) {
      this.#last = revision;
      this.#firstSeen = now;
    }
    if (now >= this.#firstSeen + lagMs) return { value: revision, settled: true };
    return { value: `${revision}~${this.#nonce}.${++this.#counter}`, settled: false };
  }
}
