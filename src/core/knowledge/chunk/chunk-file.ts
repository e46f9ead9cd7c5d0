/**
 * A knowledge file straight to chunks: {@link toMarkdown} then {@link chunkMarkdown}.
 * @module
 */
import {
  type ChunkedMarkdown,
  type ChunkOptions,
  chunkMarkdown,
  eachChunk,
  type FoundChunk,
} from "./chunk.ts";

export { embeddingTextOf } from "./chunk.ts";

import { FileKind } from "./file-kind.ts";
import { type ToMarkdownOptions, toMarkdown } from "./transform.ts";

/** Options of {@link chunkFile}: the chunking and the transformation ones. */
export interface ChunkFileOptions extends ChunkOptions, ToMarkdownOptions {}

/** A knowledge file's chunks, kind and front matter. */
export interface ChunkedFile extends ChunkedMarkdown {
  kind: FileKind;
  gzip: boolean;
}

/**
 * Transforms a knowledge file to markdown and chunks it. `null` for an unsupported type; an empty
 * file gives no chunks. Throws {@link ValidationError} for a bad file, as {@link toMarkdown} does.
 * Only markdown files have front matter: text, JSON, YAML and CSV are chunked as they render.
 * @example
 * const result = await chunkFile("faq.md", new TextEncoder().encode("# FAQ\n\nAsk us."));
 * // result?.chunks[0].headingPath === "FAQ"
 */
export async function chunkFile(
  path: string,
  content: Uint8Array | string,
  options: ChunkFileOptions = {},
): Promise<ChunkedFile | null> {
  const doc = await toMarkdown(path, content, options);
  if (doc === null) return null;
  const { chunks, frontMatter } = await chunkMarkdown(doc.markdown, {
    ...options,
    frontMatter: doc.kind === FileKind.MARKDOWN && options.frontMatter !== false,
  });
  return { chunks, frontMatter, kind: doc.kind, gzip: doc.gzip };
}

/**
 * {@link chunkFile} one chunk at a time (see {@link eachChunk}): `null` for an unsupported type,
 * else the file's kind and front matter once every chunk has been handed to `onChunk`.
 * @example
 * let n = 0;
 * await eachFileChunk("faq.md", bytes, {}, () => n++);
 */
export async function eachFileChunk(
  path: string,
  content: Uint8Array | string,
  options: ChunkFileOptions,
  onChunk: (chunk: FoundChunk) => void,
): Promise<Omit<ChunkedFile, "chunks"> | null> {
  const doc = await toMarkdown(path, content, options);
  if (doc === null) return null;
  const frontMatter = await eachChunk(
    doc.markdown,
    { ...options, frontMatter: doc.kind === FileKind.MARKDOWN && options.frontMatter !== false },
    onChunk,
  );
  return { frontMatter, kind: doc.kind, gzip: doc.gzip };
}
