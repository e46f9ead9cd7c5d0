/**
 * Index segments: the persisted form of a scope's index, one immutable object each. A *base*
 * holds the whole scope (chunks, the BM25 index as raw varint parts, vectors); a *delta* holds
 * one commit's files (their chunks and vectors, re-indexed on load) and the paths it removed.
 *
 * Layout: `BKIX` · format (1 byte) · flags (1 byte; bit 0: the rest is gzip) · 2 reserved bytes ·
 * header length (u32 LE) · header (JSON) · sections (text, vectors, BM25 parts) as raw bytes.
 * @module
 */
import { ShardedMap } from "../../util/sharded-map.ts";
import { concatInTurns } from "../../util/streams.ts";
import { TurnBudget } from "../../util/turns.ts";
import { Bm25Index } from "./bm25/bm25.ts";
import { VarintReader, VarintWriter } from "./bm25/codec.ts";
import { MemoryVectorStore } from "./memory-vector-store.ts";
import {
  groupOf,
  internalId,
  ScopeState,
  type SourceState,
  type StoredChunk,
  versionOf,
} from "./scope-state.ts";
import { LoadedChunk, TextBlocks, TextBlockWriter, TextCursor } from "./segment-text.ts";

/** The segment format this code writes and reads. */
export const SEGMENT_FORMAT = 1;
const MAGIC = [0x42, 0x4b, 0x49, 0x58]; // "BKIX"
const SEP_HEADINGS = "\u001f";
const PREAMBLE = 12;

/**
 * A segment's files: path, version, file metadata and chunk count. Per chunk, the `chunks`
 * section holds three varints — its headings (an index into the header's `headings`), its line
 * number and its text's length — so the header stays small however many chunks there are.
 */
type SourceRow = [string, string, string, Record<string, unknown>, number];

interface Header {
  kind: "base" | "delta";
  domain_id: string;
  embedding: string | null;
  dimensions: number | null;
  sources: SourceRow[];
  /** The distinct heading lists of the chunks. */
  headings: string[][];
  removed: string[];
  sections: Record<string, [number, number]>;
  bm25?: {
    options: unknown;
    fields: string[];
    units: number;
    groups: number;
    /** 2: posting entries are 16-bit; 4: 32-bit. */
    entryBytes: number;
  };
  /**
   * The name of the vector store that keeps the scope's vectors, when not the segments (absent
   * for the segments' own: the default, whose bytes this field leaves as they were).
   */
  vector_store?: string;
}

/** One file of a decoded segment. */
export interface SegmentFile {
  path: string;
  state: SourceState;
  chunks: StoredChunk[];
  vectors: Float32Array[] | null;
}

/** A decoded segment. */
export interface Segment {
  kind: "base" | "delta";
  embedding: string | null;
  files: SegmentFile[];
  removed: string[];
  /** Where the scope's vectors are kept: a vector store's name, or null (in the segments). */
  vectorStore: string | null;
  /** Bases only: the BM25 index, ready to use. */
  bm25?: Bm25Index;
}

// Numbers are stored little-endian, as typed arrays hold them on every platform this runs on.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new Error("botknobs index segments need a little-endian platform");

/** The bytes of a typed array. */
function bytesOf(a: Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A section as 32-bit numbers (copied: sections need not be aligned). */
function u32(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new SegmentError("a 32-bit section has a ragged length");
  return new Uint32Array(bytes.slice().buffer);
}

/** A section as 16-bit numbers (copied). */
function u16(bytes: Uint8Array): Uint16Array {
  if (bytes.length % 2 !== 0) throw new SegmentError("a 16-bit section has a ragged length");
  return new Uint16Array(bytes.slice().buffer);
}

/** A segment that cannot be read: names what is wrong. */
export class SegmentError extends Error {
  override name = "SegmentError";
}

/** What a delta carries for one file. */
export interface DeltaFile {
  path: string;
  source: { checksum: string; fingerprint: string };
  chunks: StoredChunk[];
  vectors: Float32Array[] | null;
}

class Body {
  readonly parts: Uint8Array[] = [];
  readonly sections: Record<string, [number, number]> = {};
  #offset = 0;
  get length(): number {
    return this.#offset;
  }
  add(name: string, bytes: Uint8Array): void {
    this.sections[name] = [this.#offset, bytes.length];
    this.parts.push(bytes);
    this.#offset += bytes.length;
  }
}

/** Chunks encoded per turn of the event loop at most (or `TURN_MS` of work). */
const CHUNKS_PER_TURN = 2048;

async function rowsOf(
  files: DeltaFile[],
  body: Body,
): Promise<{ sources: SourceRow[]; headings: string[][]; dimensions: number | null }> {
  const budget = new TurnBudget(CHUNKS_PER_TURN);
  const text = new TextBlockWriter();
  const vectors: Float32Array[] = [];
  const headingIndex = new Map<string, number>();
  const headings: string[][] = [];
  const rows = new VarintWriter();
  const sources: SourceRow[] = [];
  for (const f of files) {
    for (const c of f.chunks) {
      const key = c.headings.join(SEP_HEADINGS);
      let h = headingIndex.get(key);
      if (h === undefined) {
        h = headings.push(c.headings) - 1;
        headingIndex.set(key, h);
      }
      rows.write(h);
      rows.write(c.lineNumber);
      rows.write(text.append(c.text));
      const turn = budget.spend(1);
      if (turn) await turn;
    }
    if (f.vectors) for (const v of f.vectors) vectors.push(v);
    sources.push([
      f.path,
      f.source.checksum,
      f.source.fingerprint,
      f.chunks[0]?.metadata ?? {},
      f.chunks.length,
    ]);
  }
  body.add("chunks", rows.toBytes());
  const blocks = text.finish();
  body.add("text", blocks.data);
  body.add("textBlocks", new Uint8Array(blocks.table.buffer));
  const dimensions = vectors[0]?.length ?? null;
  if (dimensions !== null) {
    const packed = new Float32Array(vectors.length * dimensions);
    for (const [i, v] of vectors.entries()) packed.set(v, i * dimensions);
    body.add("vectors", new Uint8Array(packed.buffer));
  }
  return { sources, headings, dimensions };
}

async function pack(header: Header, body: Body, gzip: boolean): Promise<Uint8Array> {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const preamble = new Uint8Array(PREAMBLE);
  preamble.set(MAGIC);
  preamble[4] = SEGMENT_FORMAT;
  preamble[5] = gzip ? 1 : 0;
  new DataView(preamble.buffer).setUint32(8, head.length, true);
  // Written a turn at a time: a segment of a large file is tens of megabytes.
  if (!gzip)
    return concatInTurns([preamble, head, ...body.parts], PREAMBLE + head.length + body.length);
  let rest: Uint8Array = await concatInTurns([head, ...body.parts], head.length + body.length);
  rest = await transform(rest, new CompressionStream("gzip"));
  return concatInTurns([preamble, rest], preamble.length + rest.length);
}

async function transform(
  bytes: Uint8Array,
  stream: TransformStream<BufferSource, Uint8Array>,
): Promise<Uint8Array> {
  const out = new Response(
    new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream),
  );
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * Encodes one commit's changes (`vectorStore`: the name of the store keeping the vectors, whose
 * `files` then carry none).
 */
export async function encodeDelta(
  domainId: string,
  embedding: string | null,
  files: DeltaFile[],
  removed: string[],
  gzip: boolean,
  vectorStore: string | null = null,
): Promise<Uint8Array> {
  const body = new Body();
  const { sources, headings, dimensions } = await rowsOf(files, body);
  const header: Header = {
    kind: "delta",
    domain_id: domainId,
    embedding,
    dimensions,
    sources,
    headings,
    removed,
    sections: body.sections,
  };
  if (vectorStore !== null) header.vector_store = vectorStore;
  return pack(header, body, gzip);
}

/**
 * Encodes the whole scope, its BM25 index included (loading it re-indexes nothing): the state's
 * committed files, or `files` — a first commit's, staged into an otherwise empty state.
 * Throws {@link SegmentError} when the BM25 index holds chunks of none of them (another update
 * is staged): write a delta then. `vectorStore` as for {@link encodeDelta}.
 */
export async function encodeBase(
  state: ScopeState,
  gzip: boolean,
  files: DeltaFile[] = liveFiles(state),
  vectorStore: string | null = null,
): Promise<Uint8Array> {
  const body = new Body();
  const budget = new TurnBudget(CHUNKS_PER_TURN);
  const where = new ShardedMap<string, [number, number]>(); // internal id → [source, chunk]
  const groupSource = new Map<string, number>();
  for (const [n, f] of files.entries()) {
    for (const [i, c] of f.chunks.entries()) {
      where.set(c.id, [n, i]);
      const turn = budget.spend(1);
      if (turn) await turn;
    }
    groupSource.set(groupOf(f.path, versionOf(f.source)), n);
  }
  const { sources, headings, dimensions } = await rowsOf(files, body);
  // Only committed chunks are written: a base is taken with no update staged in between.
  const columns = state.bm25.toColumns();
  // Ids and group names are not stored: each unit is (file, chunk) and each group a file version.
  const units = new VarintWriter();
  for (const id of columns.ids) {
    const [s, c] = where.get(id) ?? [-1, -1];
    if (s < 0) throw new SegmentError(`chunk ${id} is indexed but not live`);
    units.write(s);
    units.write(c);
    const turn = budget.spend(1);
    if (turn) await turn;
  }
  const groups = new VarintWriter();
  for (const g of columns.groups) {
    const source = g === null ? undefined : groupSource.get(g);
    if (source === undefined) throw new SegmentError(`BM25 group ${g} is no file's`);
    groups.write(source);
  }
  body.add("bm25.units", units.toBytes());
  body.add("bm25.groups", groups.toBytes());
  body.add("bm25.unitGroups", bytesOf(columns.unitGroups));
  for (const [f, l] of columns.lengths.entries()) body.add(`bm25.lengths.${f}`, bytesOf(l));
  body.add("bm25.counts", bytesOf(columns.counts));
  body.add("bm25.df", bytesOf(columns.df));
  body.add("bm25.entries", bytesOf(columns.entries));
  body.add("bm25.unitEntries", bytesOf(columns.unitEntries as Uint32Array));
  body.add("bm25.terms", new TextEncoder().encode(columns.terms.join("\n")));
  const header: Header = {
    kind: "base",
    domain_id: state.domainId,
    embedding: state.embedding,
    dimensions,
    sources,
    headings,
    removed: [],
    sections: body.sections,
    bm25: {
      options: columns.options,
      fields: columns.fields,
      units: columns.ids.length,
      groups: columns.groups.length,
      entryBytes: columns.entries.BYTES_PER_ELEMENT,
    },
  };
  if (vectorStore !== null) header.vector_store = vectorStore;
  return pack(header, body, gzip);
}

/** The committed files of a state, with their chunks and vectors. */
export function liveFiles(state: ScopeState): DeltaFile[] {
  return [...state.sources].map(([path, s]) => {
    const chunks = s.ids.map((id) => state.chunks.get(id) as StoredChunk);
    const vectors = state.vectors
      ? chunks.map((c) => state.vectors?.vectorOf(c.id) as Float32Array)
      : null;
    return { path, source: s, chunks, vectors };
  });
}

/** Decodes a segment; throws {@link SegmentError} when it is not whole. */
export async function decodeSegment(bytes: Uint8Array): Promise<Segment> {
  if (bytes.length < PREAMBLE || MAGIC.some((b, i) => bytes[i] !== b))
    throw new SegmentError("not an index segment (bad magic)");
  if (bytes[4] !== SEGMENT_FORMAT)
    throw new SegmentError(`segment format ${bytes[4]} (this code reads ${SEGMENT_FORMAT})`);
  const headLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let rest = bytes.subarray(PREAMBLE);
  if (bytes[5] === 1) rest = await transform(rest, new DecompressionStream("gzip"));
  if (headLength > rest.length) throw new SegmentError("segment is cut off (header)");
  const header = JSON.parse(new TextDecoder().decode(rest.subarray(0, headLength))) as Header;
  const body = rest.subarray(headLength);
  const section = (name: string): Uint8Array | null => {
    const at = header.sections[name];
    if (!at) return null;
    if (at[0] + at[1] > body.length) throw new SegmentError(`segment is cut off (${name})`);
    return body.subarray(at[0], at[0] + at[1]);
  };
  const blocks = new TextBlocks(
    header.domain_id,
    section("text") ?? new Uint8Array(0),
    u32(section("textBlocks") ?? new Uint8Array(0)),
  );
  const places = new TextCursor(u32(section("textBlocks") ?? new Uint8Array(0)));
  const packed = section("vectors");
  const d = header.dimensions ?? 0;
  const floats =
    packed && d > 0 ? new Float32Array(packed.slice().buffer, 0, packed.length / 4) : null;
  let row = 0;
  const rows = new VarintReader(section("chunks") ?? new Uint8Array(0));
  // Chunks of one heading list share its array and path (as the chunker makes them).
  const paths = header.headings.map((h) => h.join(" > "));
  const files = header.sources.map(([path, checksum, fingerprint, metadata, n]): SegmentFile => {
    const version = versionOf({ checksum, fingerprint });
    const chunks: StoredChunk[] = [];
    for (let i = 0; i < n; i++) {
      const h = rows.read();
      const lineNumber = rows.read();
      const length = rows.read();
      const headings = header.headings[h];
      if (!headings) throw new SegmentError(`chunk ${i} of ${path} names no headings`);
      chunks.push(
        new LoadedChunk(
          {
            id: internalId(path, i, version),
            source: path,
            chunkIndex: i,
            headingPath: paths[h] as string,
            headings,
            lineNumber,
            metadata: metadata as StoredChunk["metadata"],
          },
          blocks,
          places.next(length),
        ),
      );
    }
    const vectors = floats ? chunks.map(() => floats.subarray(row * d, ++row * d)) : null;
    return {
      path,
      state: { checksum, fingerprint, ids: chunks.map((c) => c.id) },
      chunks,
      vectors,
    };
  });
  if (!places.done) throw new SegmentError("segment text does not match its chunks");
  const segment: Segment = {
    kind: header.kind,
    embedding: header.embedding,
    files,
    removed: header.removed,
    vectorStore: header.vector_store ?? null,
  };
  if (header.kind === "base" && header.bm25) segment.bm25 = bm25Of(header, files, section);
  return segment;
}

function bm25Of(
  header: Header,
  files: SegmentFile[],
  section: (name: string) => Uint8Array | null,
): Bm25Index {
  const need = (name: string): Uint8Array => {
    const s = section(name);
    if (!s) throw new SegmentError(`segment lacks ${name}`);
    return s;
  };
  const meta = header.bm25 as NonNullable<Header["bm25"]>;
  const units = new VarintReader(need("bm25.units"));
  const ids: string[] = [];
  for (let u = 0; u < meta.units; u++) {
    const file = files[units.read()];
    const id = file?.state.ids[units.read()];
    if (id === undefined) throw new SegmentError(`BM25 unit ${u} names no chunk`);
    ids.push(id);
  }
  const groupReader = new VarintReader(need("bm25.groups"));
  const groups: string[] = [];
  for (let g = 0; g < meta.groups; g++) {
    const file = files[groupReader.read()];
    if (!file) throw new SegmentError(`BM25 group ${g} names no file`);
    groups.push(groupOf(file.path, versionOf(file.state)));
  }
  const terms = new TextDecoder().decode(need("bm25.terms"));
  return Bm25Index.fromColumns({
    options: meta.options as never,
    fields: meta.fields,
    ids,
    groups,
    unitGroups: u32(need("bm25.unitGroups")),
    lengths: meta.fields.map((_, f) => u32(need(`bm25.lengths.${f}`))),
    terms: terms === "" ? [] : terms.split("\n"),
    counts: u32(need("bm25.counts")),
    df: u32(need("bm25.df")),
    entries: meta.entryBytes === 2 ? u16(need("bm25.entries")) : u32(need("bm25.entries")),
    // The segment's checksum vouches for the entries: their counts per unit are stored, not recounted.
    unitEntries: u32(need("bm25.unitEntries")),
  });
}

/** Builds a scope's state from a base segment. */
export function stateFromBase(domainId: string, segment: Segment): ScopeState {
  const state = new ScopeState(domainId, segment.bm25);
  state.embedding = segment.embedding;
  for (const f of segment.files) {
    for (const c of f.chunks) state.chunks.set(c.id, c);
    if (f.vectors) {
      state.vectors ??= new MemoryVectorStore();
      state.vectors.upsertSync(
        f.chunks.map((c, i) => ({ id: c.id, vector: f.vectors?.[i] as Float32Array })),
      );
    }
  }
  state.loadLive(segment.files.map((f) => [f.path, f.state]));
  return state;
}

/** Applies a delta segment to a state (its chunks are indexed as they load). */
export function applyDelta(state: ScopeState, segment: Segment): void {
  if (segment.embedding !== null) state.embedding = segment.embedding;
  const changes = new Map<string, SourceState | null>();
  for (const path of segment.removed) changes.set(path, null);
  for (const f of segment.files) {
    state.stage(f.path, versionOf(f.state), f.chunks, f.vectors);
    changes.set(f.path, f.state);
  }
  state.commit(changes);
}
