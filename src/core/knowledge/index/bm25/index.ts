/**
 * Lexical search for knowledge bases: a Unicode-aware tokenizer with the Porter2 English stemmer,
 * and an incremental, serialisable BM25F index. Web standards only.
 * @example
 * import { Bm25Index } from "../../../search/search/index.ts";
 * const index = new Bm25Index();
 * index.add({ id: "a", fields: { heading: "Install", text: "Run npm install botknobs." } });
 * index.search("installing"); // [{ id: "a", score: … }]
 * @module
 */
export { Bm25Index } from "./bm25.ts";
export { DEFAULT_BM25_OPTIONS, resolveBm25Options } from "./options.ts";
export { stemEnglish } from "./stemmer.ts";
export { ENGLISH_STOPWORDS } from "./stopwords.ts";
export {
  createTokenizer,
  normalizeText,
  Stemmer,
  type Tokenizer,
  type TokenizerOptions,
  tokenize,
} from "./tokenize.ts";
export type {
  Bm25IndexJson,
  Bm25Options,
  ResolvedBm25Options,
  SearchDocument,
  SearchHit,
  SearchOptions,
} from "./types.ts";
