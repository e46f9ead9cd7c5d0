/**
 * Conformance suites, one per port, runner-agnostic: pass your runner's
 * `{ describe, it, expect, beforeEach, afterEach }` and a factory for your adapter.
 * @example
 * import { describe, it, expect, beforeEach, afterEach } from "vitest";
 * import { registryBackendSuite } from "botknobs/testing";
 * registryBackendSuite({ describe, it, expect, beforeEach, afterEach }, { name: "mine", create: () => new MyBackend() });
 * @module
 */
export { type BlobStoreSuiteOptions, blobStoreSuite, failingStream } from "./blob-store-suite.ts";
export {
  type CachingManagerSuiteOptions,
  cachingManagerSuite,
  RecordingManager,
  type RecordingManagerClass,
  TestBot,
} from "./caching-suite.ts";
export {
  type BlobStorePort,
  CONFORMANCE_PORTS,
  type ConformanceOptions,
  conformance,
  type RecordStorePort,
} from "./conformance.ts";
export {
  type EmbeddingProviderSuiteOptions,
  embeddingProviderSuite,
} from "./embedding-provider-suite.ts";
export { type EventBusSuiteOptions, eventBusSuite } from "./event-bus-suite.ts";
export {
  deferred,
  type Expectation,
  eventually,
  expectRejects,
  type FakeClock,
  fakeClock,
  type ItFn,
  itUnless,
  rejection,
  type TestFn,
  type TestHarness,
  thrown,
} from "./harness.ts";
export {
  type HotReloadManagerClass,
  type HotReloadSuiteOptions,
  hotReloadSuite,
} from "./hot-reload-suite.ts";
export {
  BAD_PATHS,
  type KnowledgeBackendContext,
  type KnowledgeBackendSuiteOptions,
  knowledgeBackendSuite,
  SUITE_LEASE_MS,
} from "./knowledge-backend-suite.ts";
export { withLatency } from "./latency.ts";
export { type RecordStoreSuiteOptions, recordStoreSuite } from "./record-store-suite.ts";
export {
  type RegistryBackendCapabilities,
  type RegistryBackendContext,
  type RegistryBackendSuiteOptions,
  registryBackendSuite,
} from "./registry-backend-suite.ts";
export { type SearchIndexSuiteOptions, searchIndexSuite } from "./search-index-suite.ts";
export { type VectorStoreSuiteOptions, vectorStoreSuite } from "./vector-store-suite.ts";
