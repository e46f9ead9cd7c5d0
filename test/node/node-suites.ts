/**
 * Suites of the `botknobs/fs` adapters. They need a file system, so they run on Node, Deno and
 * Bun (not in workerd or Chromium).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main as knowledgeExample } from "../../examples/knowledge-base.ts";
import {
  createKnowledgeBackend,
  createRegistryBackend,
  FileEventBus,
  FileKnowledgeBackend,
  FileRecordStore,
  FsBlobStore,
  repairJournal,
} from "../../src/adapters/fs/index.ts";
import type { KnowledgeResourceBackend, RecordStore } from "../../src/index.ts";
import {
  CONFORMANCE_PORTS,
  type ConformanceOptions,
  conformance,
  type TestHarness,
} from "../../src/testing/index.ts";
import { blobRecordPort } from "../fixtures/blob-records.ts";
import { holdRegistryLock } from "../fixtures/long-writer.ts";

const temp = (): string => mkdtempSync(join(tmpdir(), "botknobs-node-"));
// The file record stores' lock lease in the suite: short, so that a long write outlasts it (and
// long enough that a holder on a loaded machine still renews it in time).
const LEASE_MS = 1500;

/** The `botknobs/fs` classes (and the repair) the conformance run builds its ports from. */
export interface FsClasses {
  FileRecordStore: typeof FileRecordStore;
  FsBlobStore: typeof FsBlobStore;
  FileKnowledgeBackend: typeof FileKnowledgeBackend;
  FileEventBus: typeof FileEventBus;
  repairJournal: typeof repairJournal;
}

/** The real `botknobs/fs` classes. */
export const FS_CLASSES: FsClasses = {
  FileRecordStore,
  FsBlobStore,
  FileKnowledgeBackend,
  FileEventBus,
  repairJournal,
};

/**
 * `conformance()` over the file adapters, each in a new temporary folder; `classes` are the real
 * ones unless given (the mutant kit gives patched ones: test/mutants/adapter-mutants.test.ts),
 * and `ports` the ports to run (default: every one).
 */
export function fsConformance(
  h: TestHarness,
  name: string,
  classes: Partial<FsClasses> = {},
  ports?: readonly (keyof Omit<ConformanceOptions, "name">)[],
): void {
  const fs: FsClasses = { ...FS_CLASSES, ...classes };
  const roots = new WeakMap<object, string>();
  const events = temp();
  let lastEvents = events;
  const cleanUp = async (of: object): Promise<void> =>
    rmSync(roots.get(of) as string, { recursive: true, force: true });
  const blobStore = (root = temp()): FsBlobStore => {
    const store = new fs.FsBlobStore({ root });
    roots.set(store, root);
    return store;
  };
  const all: ConformanceOptions = {
    name,
    recordStore: {
      capabilities: { atomicWrites: true, filters: ["status"] },
      create: () => {
        const root = temp();
        const store = new fs.FileRecordStore({ path: root, lockLeaseMs: LEASE_MS });
        roots.set(store, root);
        return store;
      },
      reopen: (store: RecordStore) =>
        new fs.FileRecordStore({ path: roots.get(store) as string, lockLeaseMs: LEASE_MS }),
      // Another process holding the journal's lock for two and a half leases, renewing it.
      longWriter: {
        start: (store) => holdRegistryLock(roots.get(store) as string, LEASE_MS),
        holdMs: 2.5 * LEASE_MS,
      },
      // A writer killed mid-append: the journal ends in a line without its newline.
      tear: async (store: RecordStore) =>
        appendFileSync(
          join(roots.get(store) as string, "registry.jsonl"),
          '{"n":99,"op":"put","record":{"bot_id":"x","ver',
        ),
      // What an operator runs after a crash (`npm run repair`).
      repair: async (store: RecordStore) => {
        await fs.repairJournal(roots.get(store) as string);
      },
      destroy: async (store: RecordStore) => {
        await store.close();
        await cleanUp(store);
      },
      registry: { persistsOnClose: true },
    },
    blobStore: {
      create: () => blobStore(),
      // Another process's store over the same folder.
      reopen: (store) => blobStore(roots.get(store)),
      destroy: cleanUp,
      capabilities: { contentTypes: false, maxNameBytes: 255 },
    },
    // The file backend's own defaults (its layout under `path`, copies for other tools).
    knowledgeBackend: {
      create: ({ now }) => {
        const root = temp();
        const kb = new fs.FileKnowledgeBackend({ path: root, now });
        roots.set(kb, root);
        return kb;
      },
      destroy: async (kb: KnowledgeResourceBackend) => cleanUp(kb),
      reopen: (kb) => new fs.FileKnowledgeBackend({ path: roots.get(kb) as string }),
    },
    // Each bus in a folder of its own; the peer is a second bus over the same folder, as another
    // process opens it.
    eventBus: {
      create: () => {
        lastEvents = join(events, crypto.randomUUID());
        return new fs.FileEventBus({ path: lastEvents });
      },
      createPeer: () => new fs.FileEventBus({ path: lastEvents }),
    },
  };
  const chosen: ConformanceOptions = { name };
  for (const port of ports ?? CONFORMANCE_PORTS)
    if (all[port] !== undefined) Object.assign(chosen, { [port]: all[port] });
  conformance(h, chosen);
}

export function runNodeSuites(h: TestHarness, runtime: string): void {
  fsConformance(h, `fs (${runtime})`);
  // The registry over a folder's blob store (BlobRecordStore), another instance reopening it.
  const blobRoots = new WeakMap<object, string>();
  const fsBlobs = (root = temp()): FsBlobStore => {
    const store = new FsBlobStore({ root });
    blobRoots.set(store, root);
    return store;
  };
  conformance(h, {
    name: `BlobRecordStore over an FsBlobStore (${runtime})`,
    recordStore: blobRecordPort({
      blobs: () => fsBlobs(),
      reopen: (blobs) => fsBlobs(blobRoots.get(blobs)),
      destroy: async (blobs) =>
        rmSync(blobRoots.get(blobs) as string, { recursive: true, force: true }),
    }),
  });
  h.describe(`createRegistryBackend("file") (${runtime})`, () => {
    h.it(
      "keeps the registry and its history in <path>/registry.jsonl across instances",
      async () => {
        const root = temp();
        try {
          const first = createRegistryBackend("file", { path: root, history_limit: 2 });
          await first.initialize();
          for (let v = 1; v <= 3; v++) await first.register("kept", { v });
          await first.close();
          const second = createRegistryBackend("file", { path: root });
          await second.initialize();
          h.expect(await second.getConfig("kept")).toEqual({ v: 3 });
          h.expect((await second.history("kept")).items.map((r) => r.version)).toEqual([3, 2]);
          h.expect(statSync(join(root, "registry.jsonl")).size).toBeGreaterThan(0);
          let error: unknown;
          try {
            createRegistryBackend("file", { path: root, table: "x" });
          } catch (e) {
            error = e;
          }
          h.expect((error as Error)?.name).toBe("ValidationError");
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    );
  });
  h.describe(`file knowledge backend layout (${runtime})`, () => {
    h.it(
      "files sit at <path>/<domain>/<path>, metadata at <path>/<domain>/_metadata.json",
      async () => {
        const root = temp();
        try {
          const kb = createKnowledgeBackend("file", { path: root });
          await kb.initialize();
          await kb.createKb("my-domain", { metadata: { description: "My KB" } });
          await kb.putFile("my-domain", "content/intro.md", "# Introduction");
          h.expect(readFileSync(join(root, "my-domain/content/intro.md"), "utf8")).toBe(
            "# Introduction",
          );
          const meta = JSON.parse(readFileSync(join(root, "my-domain/_metadata.json"), "utf8"));
          h.expect([meta.info.domain_id, meta.info.file_count, meta.info.total_size_bytes]).toEqual(
            ["my-domain", 1, 14],
          );
          // The list names the immutable upload; the copy for other tools is the same file (a link).
          const [row] = meta.root.e;
          h.expect([row[0], row[2]]).toEqual(["content/intro.md", 14]);
          const blob = join(root, "my-domain/.botknobs", meta.info.generation, "blobs", row[5]);
          h.expect(statSync(blob).ino).toBe(statSync(join(root, "my-domain/content/intro.md")).ino);
          await kb.deleteFile("my-domain", "content/intro.md");
          let gone = false;
          try {
            statSync(join(root, "my-domain/content"));
          } catch {
            gone = true;
          }
          h.expect(gone).toBe(true);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    );
  });

  h.describe(`examples on ${runtime}`, () => {
    h.it("knowledge-base - 1 file, 1 chunk, and 'reset password' finds it", async () => {
      const lines = await knowledgeExample({ log: () => {} });
      h.expect(lines).toContain("Ingested 1 files, 1 chunks");
      h.expect(lines.some((l) => l.startsWith("- Go to settings...") && l.includes("faq.md"))).toBe(
        true,
      );
      h.expect(lines[0]).toContain('"status":"ready"');
    });
  });
}
