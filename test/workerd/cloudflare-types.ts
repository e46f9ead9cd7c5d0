// Type tests (checked by `npm run check`, nothing runs): the real bindings of
// @cloudflare/workers-types fit the structural `*Like` types the Cloudflare adapters take.
// `import type` from the module form of the package (index.ts), so no Workers globals leak into
// the DOM-typed rest of the repository.
import type { Ai, Vectorize, VectorizeIndex } from "@cloudflare/workers-types/index.ts";
import type { VectorizeLike } from "../../src/adapters/vectorize/types.ts";
import type { AiLike } from "../../src/adapters/workers-ai/types.ts";

export const vectorizeFits = (v2: Vectorize, v1: VectorizeIndex): VectorizeLike[] => [v2, v1];

export const aiFits = (ai: Ai): AiLike => ai;
