/**
 * The stored form of an index: plain JSON whose bulky numeric parts (lengths, postings) are
 * varint-packed and base64-encoded, and whose terms are one sorted `\n`-joined string.
 * Document frequencies, totals and the forward index are derived again on load.
 * @module
 */
import { ValidationError } from "../../../errors.ts";
import { base64ToBytes, bytesToBase64, VarintReader, VarintWriter } from "./codec.ts";
import { resolveBm25Options } from "./options.ts";
import { compact } from "./removal.ts";
import {
  addLength,
  createState,
  fieldNumber,
  type IndexState,
  openGroup,
  openUnit,
  termNumber,
  unitIndex,
} from "./state.ts";
import type { Bm25IndexJson, Bm25Options } from "./types.ts";

/**
 * The stored form with its numeric parts as raw varint bytes: what a binary container (a
 * persisted index segment) keeps; {@link stateToJson} is the same with base64 strings.
 */
export interface Bm25Parts {
  options: Bm25IndexJson["options"];
  fields: string[];
  ids: string[];
  groups: string[];
  unitGroups: Uint8Array;
  lengths: Uint8Array;
  terms: string;
  postings: Uint8Array;
  frequencies: Uint8Array;
}

/**
 * Writes `s` (compacting it first if it holds tombstones).
 * @example
 * JSON.stringify(stateToJson(state))
 */
export function stateToJson(s: IndexState): Bm25IndexJson {
  const p = stateToParts(s);
  return {
    format: "botknobs.bm25",
    version: 1,
    options: p.options,
    fields: p.fields,
    ids: p.ids,
    groups: p.groups,
    unitGroups: bytesToBase64(p.unitGroups),
    lengths: bytesToBase64(p.lengths),
    terms: p.terms,
    postings: bytesToBase64(p.postings),
    frequencies: bytesToBase64(p.frequencies),
  };
}

/**
 * Writes `s` as parts (compacting it first if it holds tombstones).
 * @example
 * const parts = stateToParts(state);
 */
export function stateToParts(s: IndexState): Bm25Parts {
  if (s.aliveUnits < s.ids.length || s.aliveGroups < s.groupNames.length) compact(s);
  const namedIndex = new Int32Array(s.groupNames.length).fill(-1);
  const groups: string[] = [];
  s.groupNames.forEach((name, g) => {
    if (name !== null) namedIndex[g] = groups.push(name) - 1;
  });
  const unitGroups = new VarintWriter();
  for (let u = 0; u < s.ids.length; u++)
    unitGroups.write((namedIndex[s.unitGroup[u] as number] as number) + 1);
  const lengths = new VarintWriter();
  for (let f = 0; f < s.fields.length; f++) {
    const perUnit = s.lengths[f] as Uint32Array;
    for (let u = 0; u < s.ids.length; u++) lengths.write(perUnit[u] as number);
  }
  // Sorted terms compress better and make the output independent of insertion history.
  const order = s.terms.map((_, t) => t).filter((t) => (s.df[t] as number) > 0);
  order.sort((a, b) => ((s.terms[a] as string) < (s.terms[b] as string) ? -1 : 1));
  // Unit gaps and frequencies go to separate streams: the frequencies are nearly all alike, and
  // kept apart they compress far better once the JSON is gzipped.
  const postings = new VarintWriter();
  const frequencies = new VarintWriter();
  for (const t of order) {
    postings.write(s.postings.count[t] as number);
    let previous = 0;
    s.postings.forEach(t, (u, packed) => {
      postings.write(u - previous);
      frequencies.write(packed);
      previous = u;
    });
  }
  return {
    options: structuredClone(s.options),
    fields: [...s.fields],
    ids: [...s.ids],
    groups,
    unitGroups: unitGroups.toBytes(),
    lengths: lengths.toBytes(),
    terms: order.map((t) => s.terms[t]).join("\n"),
    postings: postings.toBytes(),
    frequencies: frequencies.toBytes(),
  };
}

function invalid(message: string, cause?: unknown): ValidationError {
  return new ValidationError(`Invalid BM25 index JSON: ${message}`, [{ path: [], message }], {
    cause,
  });
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

/**
 * Rebuilds a state from {@link stateToJson} output; throws {@link ValidationError} if malformed.
 * @example
 * const state = stateFromJson(JSON.parse(text));
 */
export function stateFromJson(data: unknown): IndexState {
  const j = data as Partial<Bm25IndexJson> | null;
  if (typeof j !== "object" || j === null || j.format !== "botknobs.bm25") {
    throw invalid('format is not "botknobs.bm25"');
  }
  if (j.version !== 1) throw invalid(`unsupported version ${String(j.version)}`);
  const { unitGroups, lengths, terms, postings, frequencies } = j;
  if (
    typeof unitGroups !== "string" ||
    typeof lengths !== "string" ||
    typeof terms !== "string" ||
    typeof postings !== "string" ||
    typeof frequencies !== "string"
  ) {
    throw invalid("unitGroups, lengths, terms, postings and frequencies must be strings");
  }
  let bytes: Uint8Array[];
  try {
    bytes = [unitGroups, lengths, postings, frequencies].map(base64ToBytes);
  } catch (e) {
    throw invalid((e as Error).message, e);
  }
  return stateFromParts({
    options: j.options as Bm25Parts["options"],
    fields: j.fields as string[],
    ids: j.ids as string[],
    groups: j.groups as string[],
    unitGroups: bytes[0] as Uint8Array,
    lengths: bytes[1] as Uint8Array,
    terms,
    postings: bytes[2] as Uint8Array,
    frequencies: bytes[3] as Uint8Array,
  });
}

/**
 * Decodes the posting lists into the pool, one block per term, in one pass over the bytes
 * (the hot loop of loading a stored index: no calls per entry).
 */
function loadPostings(
  s: IndexState,
  terms: string[],
  postings: Uint8Array,
  frequencies: Uint8Array,
  units: number,
): void {
  const fields = s.fields.length;
  // Every entry takes two varints of at least a byte each: this bounds the pool for any input.
  s.postings.ensure(2 * terms.length + 2 * Math.min(postings.length, frequencies.length));
  // One list decoded at a time, then copied into the pool's pages.
  let list = new Uint32Array(1024);
  const unitEntries = s.unitEntries;
  let p = 0;
  let q = 0;
  const varint = (bytes: Uint8Array, at: number): [number, number] => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++];
      if (byte === undefined) throw new RangeError("varint stream ends early");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return [value, at];
      scale *= 0x80;
    }
  };
  for (const term of terms) {
    if (s.termOf.has(term)) throw new RangeError(`term ${JSON.stringify(term)} appears twice`);
    const t = termNumber(s, term);
    let count: number;
    [count, p] = varint(postings, p);
    // Each entry takes a byte or more: a larger count is corrupt, not a reason to allocate.
    if (count > postings.length - p)
      throw new RangeError(`term ${JSON.stringify(term)} is cut off`);
    if (count === 0) continue;
    if (list.length < 2 * count) list = new Uint32Array(Math.max(2 * count, 2 * list.length));
    let at = 0;
    let u = 0;
    let last = -1;
    let df = 0;
    for (let i = 0; i < count; i++) {
      // Unit gap and packed frequency, each an unsigned LEB128 varint (inlined: one byte is usual).
      let byte = postings[p++] as number;
      let gap = byte & 0x7f;
      for (let shift = 128; byte >= 0x80; shift *= 128) {
        byte = postings[p++] as number;
        if (byte === undefined) throw new RangeError("postings end early");
        gap += (byte & 0x7f) * shift;
      }
      byte = frequencies[q++] as number;
      let packed = byte & 0x7f;
      for (let shift = 128; byte >= 0x80; shift *= 128) {
        byte = frequencies[q++] as number;
        if (byte === undefined) throw new RangeError("frequencies end early");
        packed += (byte & 0x7f) * shift;
      }
      u += gap;
      if (u >= units || packed > 0xffffffff || packed >>> 5 === 0 || (packed & 31) >= fields)
        throw new RangeError(`posting ${i} of term ${JSON.stringify(term)} is out of range`);
      list[at++] = u;
      list[at++] = packed;
      unitEntries[u] = (unitEntries[u] as number) + 1;
      if (u !== last) df++;
      last = u;
    }
    s.postings.setList(t, list, 0, count);
    s.df[t] = df;
    s.entries += count;
  }
  if (p !== postings.length || q !== frequencies.length)
    throw new RangeError("postings hold more data than the terms use");
}

/**
 * Rebuilds a state from {@link stateToParts} output; throws {@link ValidationError} if malformed.
 * @example
 * const state = stateFromParts(parts);
 */
export function stateFromParts(j: Bm25Parts): IndexState {
  if (!isStringArray(j.fields) || !isStringArray(j.ids) || !isStringArray(j.groups)) {
    throw invalid("fields, ids and groups must be arrays of strings");
  }
  const { unitGroups, lengths, terms, postings, frequencies } = j;
  if (typeof terms !== "string") throw invalid("terms must be a string");
  const s = createState(resolveBm25Options(j.options as Bm25Options));
  try {
    for (const name of j.fields) fieldNumber(s, name);
    for (const name of j.groups) openGroup(s, name);
    const groupReader = new VarintReader(unitGroups);
    for (const id of j.ids) {
      const g = groupReader.read();
      if (g > j.groups.length) throw new RangeError(`group ${g - 1} of ${id} does not exist`);
      if (unitIndex(s).has(id)) throw new RangeError(`id ${JSON.stringify(id)} appears twice`);
      openUnit(s, id, g === 0 ? openGroup(s, null) : g - 1);
    }
    const units = s.ids.length;
    const lengthReader = new VarintReader(lengths);
    for (let f = 0; f < s.fields.length; f++) {
      for (let u = 0; u < units; u++) addLength(s, u, f, lengthReader.read());
    }
    loadPostings(s, terms === "" ? [] : terms.split("\n"), postings, frequencies, units);
    s.unitTerms = null;
  } catch (e) {
    throw e instanceof ValidationError ? e : invalid((e as Error).message, e);
  }
  return s;
}
