// Type tests (checked by `npm run check`, nothing runs): the real bindings of
// @cloudflare/workers-types fit the structural `*Like` types the Cloudflare adapters take.
// `import type` from the module form of the package (index.ts), so no Workers globals leak into
// the DOM-typed rest of the repository.
import type { Vectorize, VectorizeIndex } from "@cloudflare/workers-types/index.ts";
import type { VectorizeLike } from "../../src/adapters/vectorize/types.ts";

export const vectorizeFits = (v2: Vectorize, v1: VectorizeIndex): VectorizeLike[] => [v2, v1];
