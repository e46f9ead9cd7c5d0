/**
 * {@link SegmentStore}: where a `BlobSearchIndex` keeps its scopes in a blob store — per scope
 * `<prefix><domain>/.botknobs/<generation>/index/`, a head (`head.json`) and immutable segments —
 * and how it reads, checks, decodes and writes them. Everything here is storage; what the head
 * lists, and when, is the index's. The index imports this module (and, with it, the segment codec
 * and the chain's history) with its first read or write of storage, so that bundles that never
 * persist an index leave it out.
 * @module
 */
import type { BlobStore } from "../../blob/types.ts";
import { AdapterError, UnsupportedError } from "../../errors.ts";
import { sha256Hex } from "../../util/sha256.ts";
import { readAll } from "../../util/streams.ts";
import type { Bm25Options } from "./bm25/types.ts";
import { type ExternalVectors, vectorHomeMismatch } from "./external-vectors.ts";
import {
  headKeyOf,
  INDEX_FORMAT_VERSION,
  type IndexHead,
  indexPrefixOf,
  type SegmentRef,
} from "./index-head.ts";
import { ScopeState } from "./scope-state.ts";
import { applyDelta, decodeSegment, type Segment, SegmentError, stateFromBase } from "./segment.ts";

export {
  chainAsOf,
  currentChain,
  pruneChain,
  rememberPruned,
  revisionState,
  revisionsOf,
} from "./index-history.ts";

import type { IndexScope } from "./types.ts";

/**
 * What to tell someone whose index cannot be read.
 * @example
 * `… is damaged: ${rebuildHint("support")}`
 */
export function rebuildHint(domainId: string): string {
  return `rebuild it with ingest("${domainId}", { force: true }) (HTTP: POST /kb/${domainId}/ingest with {"force": true})`;
}

/** Options of {@link SegmentStore}. */
export interface SegmentStoreOptions {
  store: BlobStore;
  /** Normalised key prefix (`""` or ending in `/`). */
  prefix: string;
  bm25: Bm25Options;
  /** The index's external vectors: a segment naming another home is refused. */
  external: ExternalVectors | null;
  now: () => number;
}

/**
 * A search index's objects in one blob store.
 * @example
 * const io = new SegmentStore({ store, prefix: "", bm25: {}, external: null, now: Date.now });
 * const read = await io.readHead(scope);
 */
export class SegmentStore {
  readonly store: BlobStore;
  readonly prefix: string;
  readonly #options: SegmentStoreOptions;

  constructor(options: SegmentStoreOptions) {
    this.store = options.store;
    this.prefix = options.prefix;
    this.#options = options;
  }

  /** The folder of a scope's index objects. */
  indexPrefix(scope: IndexScope): string {
    return indexPrefixOf(this.prefix, scope);
  }

  headKey(scope: IndexScope): string {
    return headKeyOf(this.prefix, scope);
  }

  /** The head as stored, with its etag; null when there is none. */
  async readHead(scope: IndexScope): Promise<{ head: IndexHead; etag: string } | null> {
    const body = await this.store.get(this.headKey(scope));
    if (!body) return null;
    let head: IndexHead;
    try {
      head = JSON.parse(new TextDecoder().decode(await readAll(body.body))) as IndexHead;
    } catch (error) {
      throw this.damaged(scope, "its head is not JSON", error);
    }
    if (head?.format !== "botknobs.index" || !Array.isArray(head.segments))
      throw this.damaged(scope, "its head is not an index head");
    if (head.format_version > INDEX_FORMAT_VERSION)
      throw new UnsupportedError(
        `The search index of knowledge base '${scope.domainId}' was written by a newer botknobs (index format ${head.format_version}; this one reads ${INDEX_FORMAT_VERSION}): upgrade botknobs, or ${rebuildHint(scope.domainId)}`,
      );
    return { head, etag: body.etag };
  }

  /** The error of an index that cannot be read, naming the knowledge base and the rebuild. */
  damaged(scope: IndexScope, why: string, cause?: unknown): AdapterError {
    return new AdapterError(
      "search-index",
      `the search index of knowledge base '${scope.domainId}' is damaged (${why}): ${rebuildHint(scope.domainId)}`,
      cause === undefined ? {} : { cause },
    );
  }

  /** Reads, checks and decodes one segment. */
  async segment(scope: IndexScope, ref: SegmentRef): Promise<Segment> {
    const body = await this.store.get(ref.key);
    if (!body) throw this.damaged(scope, `segment ${ref.key} is missing`);
    const bytes = await readAll(body.body);
    if (bytes.length !== ref.bytes || (await sha256Hex(bytes)) !== ref.sha256)
      throw this.damaged(scope, `segment ${ref.key} does not match its checksum`);
    let segment: Segment;
    try {
      segment = await decodeSegment(bytes);
    } catch (error) {
      const why = error instanceof SegmentError ? error.message : "it cannot be decoded";
      throw this.damaged(scope, `segment ${ref.key}: ${why}`, error);
    }
    // A segment whose vectors are kept elsewhere than this index keeps them is refused.
    const mismatch = vectorHomeMismatch(this.#options.external, segment);
    if (mismatch)
      throw new UnsupportedError(
        `The search index of knowledge base '${scope.domainId}' ${mismatch}: give it the same store, or ${rebuildHint(scope.domainId)}`,
      );
    return segment;
  }

  /** A state built from a chain of segments (a base replaces, a delta changes). */
  async build(scope: IndexScope, refs: readonly SegmentRef[]): Promise<ScopeState> {
    let state = new ScopeState(scope.domainId, this.#options.bm25);
    for (const ref of refs) {
      const segment = await this.segment(scope, ref);
      if (segment.kind === "base") state = stateFromBase(scope.domainId, segment);
      else applyDelta(state, segment);
    }
    return state;
  }

  /** Writes a segment that brings the scope to `revision` (committed at `at`, default now). */
  async write(
    scope: IndexScope,
    kind: SegmentRef["kind"],
    bytes: Uint8Array,
    chunks: number,
    revision: string,
    at: string = new Date(this.#options.now()).toISOString(),
  ): Promise<SegmentRef> {
    const ref: SegmentRef = {
      key: `${this.indexPrefix(scope)}${crypto.randomUUID()}.seg`,
      kind,
      bytes: bytes.length,
      sha256: await sha256Hex(bytes),
      chunks,
      commit_id: revision,
      committed_at: at,
    };
    await this.store.put(ref.key, bytes, {
      contentType: "application/octet-stream",
      size: bytes.length,
    });
    return ref;
  }

  /** The keys under `prefix` that `keep` accepts (given each one's upload time). */
  async keys(
    prefix: string,
    keep: (key: string, uploaded: number) => boolean = () => true,
  ): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix, ...(cursor ? { cursor } : {}) });
      for (const o of page.objects) if (keep(o.key, o.uploaded.getTime())) out.push(o.key);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  /** The folders right under `prefix`. */
  async prefixes(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.list({ prefix, delimiter: "/", ...(cursor ? { cursor } : {}) });
      out.push(...page.prefixes);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }
}
