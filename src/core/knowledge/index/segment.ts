/**
 * Index segments: the persisted form of a scope's index, one immutable object each. A *base*
 * holds the whole scope (chunks, the BM25 index as raw varint parts, vectors); a *delta* holds
 * one commit's files (their chunks and vectors, re-indexed on load) and the paths it removed.
 *
 * Layout: `BKIX` · format (1 byte) · flags (1 byte; bit 0: the rest is gzip) · 2 reserved bytes ·
 * header length (u32 LE) · header (JSON) · sections (text, vectors, BM25 parts) as raw bytes.
 * @module
 */
import { Bm25Index } from "./bm25/bm25.ts";
import { VarintReader, VarintWriter } from "./bm25/codec.ts";
import {
  groupOf,
  ID_SEPARATOR,
  internalId,
  ScopeState,
  type SourceState,
  type StoredChunk,
  versionOf,
} from "./scope-state.ts";
import { MemoryVectorStore } from "./vector-store.ts";

/** The segment format this code writes and reads. */
export const SEGMENT_FORMAT = 1;
const MAGIC = [0x42, 0x4b, 0x49, 0x58]; // "BKIX"
const PREAMBLE = 12;

/** A segment's files: path, version, file metadata and per chunk `[headings, line, text length]`. */
type SourceRow = [string, string, string, Record<string, unknown>, [string[], number, number][]];

interface Header {
  kind: "base" | "delta";
  domain_id: string;
  embedding: string | null;
  dimensions: number | null;
  sources: SourceRow[];
  removed: string[];
  sections: Record<string, [number, number]>;
  bm25?: { options: unknown; fields: string[]; units: number; groups: number };
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
  /** Bases only: the BM25 index, ready to use. */
  bm25?: Bm25Index;
}

/** A segment that cannot be read: names what is wrong. */
export class SegmentError extends Error {}

/** What a delta carries for one file. */
export interface DeltaFile {
  path: string;
  source: { checksum: string; fingerprint: string };
  chunks: StoredChunk[];
  vectors: Float32Array[] | null;
}

function stableId(domainId: string, path: string, index: number): string {
  return `${domainId}${ID_SEPARATOR}${path}${ID_SEPARATOR}${index}`;
}

class Body {
  readonly parts: Uint8Array[] = [];
  readonly sections: Record<string, [number, number]> = {};
  #offset = 0;
  add(name: string, bytes: Uint8Array): void {
    this.sections[name] = [this.#offset, bytes.length];
    this.parts.push(bytes);
    this.#offset += bytes.length;
  }
}

function rowsOf(
  files: DeltaFile[],
  body: Body,
): { sources: SourceRow[]; dimensions: number | null } {
  const texts: string[] = [];
  const vectors: Float32Array[] = [];
  const sources = files.map((f): SourceRow => {
    for (const c of f.chunks) texts.push(c.text);
    if (f.vectors) vectors.push(...f.vectors);
    return [
      f.path,
      f.source.checksum,
      f.source.fingerprint,
      f.chunks[0]?.metadata ?? {},
      f.chunks.map((c) => [c.headings, c.lineNumber, c.text.length]),
    ];
  });
  body.add("text", new TextEncoder().encode(texts.join("")));
  const dimensions = vectors[0]?.length ?? null;
  if (dimensions !== null) {
    const packed = new Float32Array(vectors.length * dimensions);
    for (const [i, v] of vectors.entries()) packed.set(v, i * dimensions);
    body.add("vectors", new Uint8Array(packed.buffer));
  }
  return { sources, dimensions };
}

async function pack(header: Header, body: Body, gzip: boolean): Promise<Uint8Array> {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const preamble = new Uint8Array(PREAMBLE);
  preamble.set(MAGIC);
  preamble[4] = SEGMENT_FORMAT;
  preamble[5] = gzip ? 1 : 0;
  new DataView(preamble.buffer).setUint32(8, head.length, true);
  let rest: Uint8Array = concat([head, ...body.parts]);
  if (gzip) rest = await transform(rest, new CompressionStream("gzip"));
  return concat([preamble, rest]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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

/** Encodes one commit's changes. */
export function encodeDelta(
  domainId: string,
  embedding: string | null,
  files: DeltaFile[],
  removed: string[],
  gzip: boolean,
): Promise<Uint8Array> {
  const body = new Body();
  const { sources, dimensions } = rowsOf(files, body);
  const header: Header = {
    kind: "delta",
    domain_id: domainId,
    embedding,
    dimensions,
    sources,
    removed,
    sections: body.sections,
  };
  return pack(header, body, gzip);
}

/** Encodes the whole scope, its BM25 index included (loading it re-indexes nothing). */
export function encodeBase(state: ScopeState, gzip: boolean): Promise<Uint8Array> {
  const body = new Body();
  const files: DeltaFile[] = [];
  const where = new Map<string, [number, number]>(); // internal id → [source, chunk]
  const groupSource = new Map<string, number>();
  for (const [path, s] of state.sources) {
    const n = files.length;
    const chunks = s.ids.map((id, i) => {
      where.set(id, [n, i]);
      return state.chunks.get(id) as StoredChunk;
    });
    groupSource.set(groupOf(path, versionOf(s)), n);
    const vectors = state.vectors
      ? chunks.map((c) => state.vectors?.vectorOf(c.id) as Float32Array)
      : null;
    files.push({ path, source: s, chunks, vectors });
  }
  const { sources, dimensions } = rowsOf(files, body);
  // Only committed chunks are written: a base is taken with no update staged in between.
  const parts = state.bm25.toParts();
  const units = new VarintWriter();
  for (const id of parts.ids) {
    const [s, c] = where.get(id) ?? [-1, -1];
    if (s < 0) throw new SegmentError(`chunk ${id} is indexed but not live`);
    units.write(s);
    units.write(c);
  }
  const groups = new VarintWriter();
  for (const g of parts.groups) groups.write(groupSource.get(g) ?? 0);
  body.add("bm25.units", units.toBytes());
  body.add("bm25.groups", groups.toBytes());
  body.add("bm25.unitGroups", parts.unitGroups);
  body.add("bm25.lengths", parts.lengths);
  body.add("bm25.postings", parts.postings);
  body.add("bm25.frequencies", parts.frequencies);
  body.add("bm25.terms", new TextEncoder().encode(parts.terms));
  const header: Header = {
    kind: "base",
    domain_id: state.domainId,
    embedding: state.embedding,
    dimensions,
    sources,
    removed: [],
    sections: body.sections,
    bm25: {
      options: parts.options,
      fields: parts.fields,
      units: parts.ids.length,
      groups: parts.groups.length,
    },
  };
  return pack(header, body, gzip);
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
  const text = new TextDecoder().decode(section("text") ?? new Uint8Array(0));
  const packed = section("vectors");
  const d = header.dimensions ?? 0;
  const floats =
    packed && d > 0 ? new Float32Array(packed.slice().buffer, 0, packed.length / 4) : null;
  let at = 0;
  let row = 0;
  const files = header.sources.map(([path, checksum, fingerprint, metadata, rows]): SegmentFile => {
    const version = versionOf({ checksum, fingerprint });
    const chunks = rows.map(([headings, lineNumber, length], i): StoredChunk => {
      const chunkId = stableId(header.domain_id, path, i);
      const chunk: StoredChunk = {
        id: internalId(chunkId, version),
        chunkId,
        source: path,
        chunkIndex: i,
        text: text.slice(at, at + length),
        headingPath: headings.join(" > "),
        headings,
        lineNumber,
        metadata: metadata as StoredChunk["metadata"],
      };
      at += length;
      return chunk;
    });
    const vectors = floats ? chunks.map(() => floats.subarray(row * d, ++row * d)) : null;
    return {
      path,
      state: { checksum, fingerprint, ids: chunks.map((c) => c.id) },
      chunks,
      vectors,
    };
  });
  if (at !== text.length) throw new SegmentError("segment text does not match its chunks");
  const segment: Segment = {
    kind: header.kind,
    embedding: header.embedding,
    files,
    removed: header.removed,
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
  return Bm25Index.fromParts({
    options: meta.options as never,
    fields: meta.fields,
    ids,
    groups,
    unitGroups: need("bm25.unitGroups"),
    lengths: need("bm25.lengths"),
    postings: need("bm25.postings"),
    frequencies: need("bm25.frequencies"),
    terms: new TextDecoder().decode(need("bm25.terms")),
  });
}

/** Builds a scope's state from a base segment. */
export function stateFromBase(domainId: string, segment: Segment): ScopeState {
  const state = new ScopeState(domainId, segment.bm25);
  state.embedding = segment.embedding;
  const live = new Set<string>();
  for (const f of segment.files) {
    for (const c of f.chunks) {
      state.chunks.set(c.id, c);
      live.add(c.id);
    }
    if (f.vectors) {
      state.vectors ??= new MemoryVectorStore();
      state.vectors.upsertSync(
        f.chunks.map((c, i) => ({ id: c.id, vector: f.vectors?.[i] as Float32Array })),
      );
    }
    state.sources.set(f.path, f.state);
  }
  state.live = live;
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
