/**
 * Block segments (segment format 2): a base laid out to be read by range. What every query
 * needs is *resident* — a term dictionary (UTF-8 terms sorted bytewise, with offsets), per term
 * its document frequency and where its postings start, per unit its chunk and group and its
 * field lengths, and the block directories — and sits at the front, in one read. The postings
 * (raw entries, each term's list contiguous, in dictionary order) and the chunk texts (rows and
 * UTF-8, deflated) follow in blocks, each with its own CRC-32, read on demand (`block-reader.ts`).
 *
 * Layout: `BKIX` · format 2 · 3 reserved bytes · header length (u32 LE) · resident length
 * (u32 LE) · CRC-32 of header + resident (u32 LE) · header (JSON) · resident sections ·
 * postings blocks · text blocks. A format-1 segment (`segment.ts`) is read whole, as before.
 * @module
 */
import { deflateSync } from "fflate";
import { crc32 } from "../../util/crc32.ts";
import { concatInTurns } from "../../util/streams.ts";
import { VarintWriter } from "./bm25/codec.ts";
import type { ResolvedBm25Options } from "./bm25/types.ts";
import { groupOf, type ScopeState, versionOf } from "./scope-state.ts";
import { type DeltaFile, liveFiles, SegmentError } from "./segment.ts";

/** The segment format of block segments. */
export const BLOCK_SEGMENT_FORMAT = 2;
/** `BKIX`: the magic of every index segment. */
export const SEGMENT_MAGIC: readonly number[] = [0x42, 0x4b, 0x49, 0x58];
/** Bytes before the header. */
export const BLOCK_PREAMBLE = 20;
/** Raw bytes of postings per block (the last one may be shorter). */
export const POSTING_BLOCK_BYTES: number = 16 * 1024;
/** Raw bytes of chunk rows and texts per text block before it is deflated (about). */
export const TEXT_BLOCK_RAW_BYTES: number = 16 * 1024;

/** A file: path, checksum, fingerprint, metadata, chunk count. */
export type BlockSourceRow = [string, string, string, Record<string, unknown>, number];

/** The JSON header of a block segment. */
export interface BlockHeader {
  kind: "base";
  domain_id: string;
  embedding: string | null;
  sources: BlockSourceRow[];
  headings: string[][];
  bm25: {
    options: ResolvedBm25Options;
    fields: string[];
    units: number;
    groups: number;
    terms: number;
    /** 2: posting entries are 16-bit; 4: 32-bit. */
    entryBytes: number;
  };
  /** Resident sections: `[offset, length]` from the start of the resident part. */
  sections: Record<string, [number, number]>;
  /** Where the postings and the text blocks are: `[offset, length]` from the segment's start. */
  postings: [number, number];
  text: [number, number];
  postingBlockBytes: number;
}

function bytesOf(a: Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Orders byte strings as their UTF-8 code points order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** The text blocks: per chunk (file order) its heading list, line and byte length, then its text. */
function textBlocks(
  files: DeltaFile[],
  headingOf: (headings: string[]) => number,
): { data: Uint8Array[]; directory: Uint32Array } {
  const encoder = new TextEncoder();
  const data: Uint8Array[] = [];
  const directory: number[] = [];
  let rows = new VarintWriter();
  let texts: Uint8Array[] = [];
  let raw = 0;
  let first = 0;
  let chunk = 0;
  let offset = 0;
  const seal = (): void => {
    if (chunk === first) return;
    const head = rows.toBytes();
    const body = new Uint8Array(4 + head.length + raw);
    new DataView(body.buffer).setUint32(0, head.length, true);
    body.set(head, 4);
    let at = 4 + head.length;
    for (const t of texts) {
      body.set(t, at);
      at += t.length;
    }
    const deflated = deflateSync(body, { level: 6 });
    data.push(deflated);
    directory.push(offset, deflated.length, crc32(deflated), first);
    offset += deflated.length;
    rows = new VarintWriter();
    texts = [];
    raw = 0;
    first = chunk;
  };
  for (const f of files) {
    for (const c of f.chunks) {
      const text = encoder.encode(c.text);
      rows.write(headingOf(c.headings));
      rows.write(c.lineNumber);
      rows.write(text.length);
      texts.push(text);
      raw += text.length;
      chunk++;
      if (raw >= TEXT_BLOCK_RAW_BYTES) seal();
    }
  }
  seal();
  return { data, directory: Uint32Array.from(directory) };
}

/**
 * Encodes the whole scope as a block segment (its committed files, or `files`, as
 * `encodeBase`). Vectors are not written: a block segment is the lexical side, its vectors
 * belong in a vector store. Throws {@link SegmentError} when the BM25 index holds a chunk of
 * none of the files.
 */
export async function encodeBlockBase(
  state: ScopeState,
  files: DeltaFile[] = liveFiles(state),
): Promise<Uint8Array> {
  const ordinal = new Map<string, number>();
  const groupFile = new Map<string, number>();
  let n = 0;
  for (const [i, f] of files.entries()) {
    for (const c of f.chunks) ordinal.set(c.id, n++);
    groupFile.set(groupOf(f.path, versionOf(f.source)), i);
  }
  const columns = state.bm25.toColumns();
  const units = columns.ids.length;
  const unitChunk = new Uint32Array(units);
  for (const [u, id] of columns.ids.entries()) {
    const at = ordinal.get(id);
    if (at === undefined) throw new SegmentError(`chunk ${id} is indexed but not live`);
    unitChunk[u] = at;
  }
  const groupFiles = Uint32Array.from(columns.groups, (g) => {
    const file = g === null ? undefined : groupFile.get(g);
    if (file === undefined) throw new SegmentError(`BM25 group ${g} is no file's`);
    return file;
  });
  // The dictionary, sorted bytewise; each term's entries copied in that order.
  const encoder = new TextEncoder();
  const encoded = columns.terms.map((t) => encoder.encode(t));
  const from = new Uint32Array(encoded.length + 1);
  for (let t = 0; t < encoded.length; t++)
    from[t + 1] = (from[t] as number) + (columns.counts[t] as number);
  const order = encoded
    .map((_, t) => t)
    .sort((a, b) => compareBytes(encoded[a] as Uint8Array, encoded[b] as Uint8Array));
  const termOffsets = new Uint32Array(order.length + 1);
  const starts = new Uint32Array(order.length + 1);
  const df = new Uint32Array(order.length);
  const entries = columns.entries;
  const sorted = new (entries.constructor as Uint16ArrayConstructor | Uint32ArrayConstructor)(
    entries.length,
  );
  let chars = 0;
  let at = 0;
  for (const [i, t] of order.entries()) {
    chars += (encoded[t] as Uint8Array).length;
    termOffsets[i + 1] = chars;
    df[i] = columns.df[t] as number;
    sorted.set(entries.subarray(2 * (from[t] as number), 2 * (from[t + 1] as number)), at);
    at += 2 * (columns.counts[t] as number);
    starts[i + 1] = at / 2;
  }
  const termBytes = new Uint8Array(chars);
  for (const [i, t] of order.entries()) termBytes.set(encoded[t] as Uint8Array, termOffsets[i]);
  const postings = bytesOf(sorted);
  const postingCrcs = new Uint32Array(Math.ceil(postings.length / POSTING_BLOCK_BYTES));
  for (let b = 0; b < postingCrcs.length; b++)
    postingCrcs[b] = crc32(
      postings.subarray(b * POSTING_BLOCK_BYTES, (b + 1) * POSTING_BLOCK_BYTES),
    );
  const headingIndex = new Map<string, number>();
  const headings: string[][] = [];
  const text = textBlocks(files, (h) => {
    const key = h.join("\u001f");
    let i = headingIndex.get(key);
    if (i === undefined) {
      i = headings.push(h) - 1;
      headingIndex.set(key, i);
    }
    return i;
  });
  // The resident sections.
  const sections: Record<string, [number, number]> = {};
  const parts: Uint8Array[] = [];
  let resident = 0;
  const add = (name: string, bytes: Uint8Array): void => {
    sections[name] = [resident, bytes.length];
    parts.push(bytes);
    resident += bytes.length;
  };
  add("terms", termBytes);
  add("termOffsets", bytesOf(termOffsets));
  add("starts", bytesOf(starts));
  add("df", bytesOf(df));
  add("unitChunk", bytesOf(unitChunk));
  add("unitGroups", bytesOf(columns.unitGroups));
  for (const [f, l] of columns.lengths.entries()) add(`lengths.${f}`, bytesOf(l));
  add("groupFiles", bytesOf(groupFiles));
  add("postingCrcs", bytesOf(postingCrcs));
  add("textBlocks", bytesOf(text.directory));
  const textBytes = text.data.reduce((s, d) => s + d.length, 0);
  const header: BlockHeader = {
    kind: "base",
    domain_id: state.domainId,
    embedding: null,
    sources: files.map((f) => [
      f.path,
      f.source.checksum,
      f.source.fingerprint,
      f.chunks[0]?.metadata ?? {},
      f.chunks.length,
    ]),
    headings,
    bm25: {
      options: columns.options,
      fields: columns.fields,
      units,
      groups: columns.groups.length,
      terms: order.length,
      entryBytes: entries.BYTES_PER_ELEMENT,
    },
    sections,
    postings: [0, postings.length],
    text: [0, textBytes],
    postingBlockBytes: POSTING_BLOCK_BYTES,
  };
  // Offsets depend on the header's length, which holds them: fixed-width placeholders first.
  let head = new TextEncoder().encode(JSON.stringify(header));
  const place = (length: number): void => {
    const start = BLOCK_PREAMBLE + length + resident;
    header.postings = [start, postings.length];
    header.text = [start + postings.length, textBytes];
  };
  for (let tries = 0; tries < 3; tries++) {
    place(head.length);
    const next = new TextEncoder().encode(JSON.stringify(header));
    if (next.length === head.length) break;
    head = next;
  }
  place(head.length);
  head = new TextEncoder().encode(JSON.stringify(header));
  if (header.postings[0] !== BLOCK_PREAMBLE + head.length + resident)
    throw new SegmentError("the block segment's header did not settle");
  const front = await concatInTurns([head, ...parts], head.length + resident);
  const preamble = new Uint8Array(BLOCK_PREAMBLE);
  preamble.set(SEGMENT_MAGIC);
  preamble[4] = BLOCK_SEGMENT_FORMAT;
  const view = new DataView(preamble.buffer);
  view.setUint32(8, head.length, true);
  view.setUint32(12, resident, true);
  view.setUint32(16, crc32(front), true);
  return concatInTurns(
    [preamble, front, postings, ...text.data],
    BLOCK_PREAMBLE + front.length + postings.length + textBytes,
  );
}
