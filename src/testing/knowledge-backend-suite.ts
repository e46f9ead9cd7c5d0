/**
 * The `KnowledgeResourceBackend` conformance suite: the memory and file backends run it here;
 * every knowledge backend over another blob store is meant to.
 * @module
 */
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import { IngestionStatus } from "../core/knowledge/store/models.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import { sha256Hex } from "../core/util/sha256.ts";
import { bytesToStream, readAll } from "../core/util/streams.ts";
import { failingStream } from "./blob-store-suite.ts";
import { expectRejects, type FakeClock, fakeClock, itUnless, type TestHarness } from "./harness.ts";
import { knowledgeLeaseCases } from "./knowledge-lease-cases.ts";

/** What the suite hands to `create`. */
export interface KnowledgeBackendContext {
  /** The clock to use (ms); the lease cases move it. */
  now: () => number;
}

/** Options of {@link knowledgeBackendSuite}. */
export interface KnowledgeBackendSuiteOptions {
  name: string;
  /** A fresh, empty backend. */
  create(
    context: KnowledgeBackendContext,
  ): Promise<KnowledgeResourceBackend> | KnowledgeResourceBackend;
  destroy?(backend: KnowledgeResourceBackend): Promise<void>;
  /**
   * A second backend over the same storage, as another process would open it. The cases with
   * writers in two places need it (without it they are skipped).
   */
  reopen?(
    backend: KnowledgeResourceBackend,
  ): Promise<KnowledgeResourceBackend> | KnowledgeResourceBackend;
  /** The backend honours the `now` it is given (default true); without it the lease case is skipped. */
  injectableClock?: boolean;
}

export { SUITE_LEASE_MS } from "./knowledge-lease-cases.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null): string | null => (b ? new TextDecoder().decode(b) : null);

/** Paths the backends must refuse. */
export const BAD_PATHS: readonly string[] = [
  "",
  "/etc/passwd",
  "../../etc/passwd",
  "a/../../b",
  "a/./b",
  "a//b",
  "a/",
  "C:\\x",
  "C:/x",
  "dir\\file.md",
  "nul\u0000byte.md",
  "_metadata.json",
  ".botknobs/blobs/x",
  "docs/.botknobs-tmp-1",
  "x".repeat(1025),
];

/** Runs the `KnowledgeResourceBackend` conformance suite. */
export function knowledgeBackendSuite(h: TestHarness, options: KnowledgeBackendSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  describe(`KnowledgeResourceBackend conformance: ${options.name}`, () => {
    let kb: KnowledgeResourceBackend;
    let clock: FakeClock;
    beforeEach(async () => {
      clock = fakeClock(Date.now());
      kb = await options.create({ now: clock.now });
      await kb.initialize();
    });
    afterEach(async () => {
      if (options.destroy) await options.destroy(kb);
      else {
        for (const info of await kb.listKbs()) await kb.deleteKb(info.domainId);
        await kb.close();
      }
    });

    it("createKb - version 1, pending, empty, metadata kept", async () => {
      const info = await kb.createKb("my-domain", { metadata: { description: "My KB" } });
      expect([
        info.domainId,
        info.version,
        info.ingestionStatus,
        info.fileCount,
        info.totalSizeBytes,
      ]).toEqual(["my-domain", "1", "pending", 0, 0]);
      expect(info.metadata).toEqual({ description: "My KB" });
      expect((await kb.getInfo("my-domain"))?.toDict()).toEqual(info.toDict());
    });

    it("createKb.duplicate - ConflictError 'already exists'", async () => {
      await kb.createKb("d");
      await expectRejects(h, kb.createKb("d"), ConflictError, "already exists");
    });

    it("createKb.bad-domain - ValidationError, nothing created", async () => {
      for (const bad of ["", "a/b", "..", "with space", "x".repeat(257)]) {
        await expectRejects(h, kb.createKb(bad), ValidationError, "domainId");
      }
      expect(await kb.listKbs()).toEqual([]);
    });

    it("listKbs - sorted by domain; deleteKb removes files", async () => {
      await kb.createKb("b-kb");
      await kb.createKb("a-kb");
      await kb.putFile("b-kb", "x.md", "# X");
      expect((await kb.listKbs()).map((i) => i.domainId)).toEqual(["a-kb", "b-kb"]);
      expect(await kb.deleteKb("b-kb")).toBe(true);
      expect(await kb.deleteKb("b-kb")).toBe(false);
      expect(await kb.getInfo("b-kb")).toBeNull();
      expect(await kb.getFile("b-kb", "x.md")).toBeNull();
      await kb.createKb("b-kb");
      expect(await kb.listFiles("b-kb")).toEqual([]);
    });

    it("putFile.getFile - bytes, checksum, explicit type and metadata", async () => {
      await kb.createKb("d");
      const bytes = enc("# Introduction\n\nWelcome to our knowledge base!");
      const file = await kb.putFile("d", "content/intro.md", bytes, {
        contentType: "text/markdown",
        metadata: { lang: "en" },
      });
      expect([file.path, file.contentType, file.sizeBytes]).toEqual([
        "content/intro.md",
        "text/markdown",
        bytes.length,
      ]);
      expect(file.checksum).toBe(await sha256Hex(bytes));
      expect(file.metadata).toEqual({ lang: "en" });
      expect(dec(await kb.getFile("d", "content/intro.md"))).toBe(
        "# Introduction\n\nWelcome to our knowledge base!",
      );
      expect(await kb.getFile("d", "content/missing.md")).toBeNull();
      const info = await kb.getInfo("d");
      expect([info?.fileCount, info?.totalSizeBytes, info?.version]).toEqual([
        1,
        bytes.length,
        "2",
      ]);
    });

    it("getFile.checksum - with a checksum, only that version: null once the file holds other bytes", async () => {
      await kb.createKb("d");
      const first = await kb.putFile("d", "f.md", "first version");
      expect(dec(await kb.getFile("d", "f.md", { checksum: first.checksum }))).toBe(
        "first version",
      );
      const second = await kb.putFile("d", "f.md", "other version"); // the same length
      expect(await kb.getFile("d", "f.md", { checksum: first.checksum })).toBeNull();
      expect(await kb.streamFile("d", "f.md", { checksum: first.checksum })).toBeNull();
      expect(dec(await kb.getFile("d", "f.md", { checksum: second.checksum }))).toBe(
        "other version",
      );
      await kb.putFile("d", "f.md", "first version"); // put back: that version again
      expect(dec(await kb.getFile("d", "f.md", { checksum: first.checksum }))).toBe(
        "first version",
      );
      expect(await kb.getFile("d", "gone.md", { checksum: first.checksum })).toBeNull();
    });

    it("putFile.no-kb - NotFoundError 'does not exist', before any of the content is read", async () => {
      await expectRejects(h, kb.putFile("ghost", "a.md", "x"), NotFoundError, "does not exist");
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
          if (pulled >= 64) controller.close();
        },
      });
      await expectRejects(h, kb.putFile("ghost", "b.md", body), NotFoundError, "does not exist");
      // A stream pulls its first piece when it is made: nothing beyond was asked for.
      expect(pulled).toBeLessThanOrEqual(1);
    });

    it("putFile.created - true for a new path; false when it replaces a file or keeps identical bytes", async () => {
      await kb.createKb("d");
      expect((await kb.putFile("d", "a.md", "one")).created).toBe(true);
      expect((await kb.putFile("d", "a.md", "two")).created).toBe(false);
      expect((await kb.putFile("d", "a.md", "two")).created).toBe(false);
      const [b, a] = await kb.putFiles("d", [
        { path: "b.md", content: "b" },
        { path: "a.md", content: "three" },
      ]);
      expect([b?.created, a?.created]).toEqual([true, false]);
      await kb.deleteFile("d", "a.md");
      expect((await kb.putFile("d", "a.md", "again")).created).toBe(true);
      // Read back, a file carries no `created`: it describes a call, not the file.
      expect((await kb.listFiles("d")).every((f) => f.created === undefined)).toBe(true);
    });

    it("putFile.content-types - from the extension, .gz gives the inner type", async () => {
      await kb.createKb("d");
      const cases: [string, string][] = [
        ["a.md", "text/markdown"],
        ["a.markdown", "text/markdown"],
        ["a.json", "application/json"],
        ["a.yaml", "application/yaml"],
        ["a.yml", "application/yaml"],
        ["a.csv", "text/csv"],
        ["a.txt", "text/plain"],
        ["a.html", "text/html"],
        ["faq.json.gz", "application/json"],
        ["blob.bin", "application/octet-stream"],
        ["README", "application/octet-stream"],
      ];
      for (const [path, type] of cases)
        expect((await kb.putFile("d", path, "x")).contentType).toBe(type);
    });

    it("putFile.bad-paths - ValidationError, nothing written", async () => {
      await kb.createKb("d");
      for (const bad of BAD_PATHS)
        await expectRejects(h, kb.putFile("d", bad, "evil"), ValidationError, "path");
      expect(await kb.listFiles("d")).toEqual([]);
      expect((await kb.getInfo("d"))?.version).toBe("1");
      await expectRejects(h, kb.getFile("d", "../x"), ValidationError);
      await expectRejects(h, kb.deleteFile("d", "/abs"), ValidationError);
    });

    it("putFile.odd-but-valid-paths - spaces, unicode, nested _metadata.json", async () => {
      await kb.createKb("d");
      for (const p of ["docs/file name.md", "文档/说明.md", "sub/_metadata.json", "a..b/c.md"]) {
        await kb.putFile("d", p, p);
        expect(dec(await kb.getFile("d", p))).toBe(p);
      }
    });

    it("putFile.stream - a stream is hashed and stored without changing its bytes", async () => {
      await kb.createKb("d");
      const big = new Uint8Array(2 * 1024 * 1024 + 3).map((_, i) => (i * 7) % 256);
      const file = await kb.putFile("d", "big.bin", bytesToStream(big, 50_000));
      expect(file.sizeBytes).toBe(big.length);
      expect(file.checksum).toBe(await sha256Hex(big));
      const back = (await kb.getFile("d", "big.bin")) as Uint8Array;
      expect(back.length).toBe(big.length);
      expect(await sha256Hex(back)).toBe(file.checksum);
    });

    it("putFile.failed-stream - a broken upload stores nothing and keeps the old file", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "f.md", "old");
      const version = (await kb.getInfo("d"))?.version;
      let failed = false;
      try {
        await kb.putFile("d", "f.md", failingStream([enc("new"), enc("partial")]));
      } catch {
        failed = true;
      }
      expect(failed).toBe(true);
      expect(dec(await kb.getFile("d", "f.md"))).toBe("old");
      expect((await kb.getInfo("d"))?.version).toBe(version);
      try {
        await kb.putFile("d", "new.md", failingStream([enc("partial")]));
      } catch {
        // expected
      }
      expect(await kb.fileExists("d", "new.md")).toBe(false);
      expect(await kb.getFile("d", "new.md")).toBeNull();
    });

    it("putFile.identical - re-uploading the same bytes is not a change", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "a.md", "same");
      const v = (await kb.getInfo("d"))?.version;
      await kb.putFile("d", "a.md", "same");
      expect((await kb.getInfo("d"))?.version).toBe(v);
      await kb.putFile("d", "a.md", "different");
      expect((await kb.getInfo("d"))?.version).not.toBe(v);
    });

    it("putFiles - one version step for a batch; a bad path writes nothing", async () => {
      await kb.createKb("d");
      const files = await kb.putFiles("d", [
        { path: "a.md", content: "A" },
        { path: "b/c.json", content: enc("{}"), metadata: { n: 1 } },
        { path: "s.txt", content: bytesToStream(enc("streamed")) },
      ]);
      expect(files.map((f) => [f.path, f.contentType, f.sizeBytes])).toEqual([
        ["a.md", "text/markdown", 1],
        ["b/c.json", "application/json", 2],
        ["s.txt", "text/plain", 8],
      ]);
      const info = await kb.getInfo("d");
      expect([info?.fileCount, info?.version]).toEqual([3, "2"]);
      await expectRejects(
        h,
        kb.putFiles("d", [
          { path: "ok.md", content: "x" },
          { path: "../bad", content: "x" },
        ]),
        ValidationError,
      );
      expect(await kb.fileExists("d", "ok.md")).toBe(false);
      expect((await kb.getInfo("d"))?.version).toBe("2");
    });

    it("putFiles.partial-failure - files written before a broken stream are recorded", async () => {
      await kb.createKb("d");
      let failed = false;
      try {
        await kb.putFiles("d", [
          { path: "first.md", content: "first" },
          { path: "broken.md", content: failingStream([enc("par")]) },
          { path: "never.md", content: "never" },
        ]);
      } catch {
        failed = true;
      }
      expect(failed).toBe(true);
      expect(dec(await kb.getFile("d", "first.md"))).toBe("first");
      expect((await kb.listFiles("d")).map((f) => f.path)).toEqual(["first.md"]);
      expect(await kb.getFile("d", "broken.md")).toBeNull();
    });

    it("listFiles - sorted, prefix filter, missing kb lists nothing", async () => {
      await kb.createKb("d");
      for (const p of ["subdir/b.md", "a.md", "subdir/a.md", "z.txt"]) await kb.putFile("d", p, p);
      expect((await kb.listFiles("d")).map((f) => f.path)).toEqual([
        "a.md",
        "subdir/a.md",
        "subdir/b.md",
        "z.txt",
      ]);
      expect((await kb.listFiles("d", { prefix: "subdir/" })).map((f) => f.path)).toEqual([
        "subdir/a.md",
        "subdir/b.md",
      ]);
      expect(await kb.listFiles("missing")).toEqual([]);
    });

    it("fileExists.deleteFile - counts follow; missing gives false", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "a.md", "x");
      expect(await kb.fileExists("d", "a.md")).toBe(true);
      expect(await kb.deleteFile("d", "a.md")).toBe(true);
      expect(await kb.fileExists("d", "a.md")).toBe(false);
      expect(await kb.deleteFile("d", "a.md")).toBe(false);
      expect(await kb.getFile("d", "a.md")).toBeNull();
      const info = await kb.getInfo("d");
      expect([info?.fileCount, info?.totalSizeBytes, info?.version]).toEqual([0, 0, "3"]);
    });

    it("streamFile - chunkSize pieces, async-iterable, missing gives null", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "large-file.bin", new Uint8Array(1000).fill(7));
      const stream = await kb.streamFile("d", "large-file.bin", { chunkSize: 100 });
      const sizes: number[] = [];
      for await (const chunk of stream as AsyncIterable<Uint8Array>) sizes.push(chunk.length);
      expect(sizes).toEqual(Array(10).fill(100));
      const whole = await kb.streamFile("d", "large-file.bin");
      expect((await readAll(whole as ReadableStream<Uint8Array>)).length).toBe(1000);
      expect(await kb.streamFile("d", "missing.bin")).toBeNull();
    });

    it("streamFile.range - offset and length, clipped at the end; bad ranges refused", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "digits.txt", "0123456789");
      const read = async (range: { offset: number; length?: number }): Promise<string> => {
        const stream = await kb.streamFile("d", "digits.txt", { range, chunkSize: 2 });
        return new TextDecoder().decode(await readAll(stream as ReadableStream<Uint8Array>));
      };
      expect(await read({ offset: 2, length: 3 })).toBe("234");
      expect(await read({ offset: 7 })).toBe("789");
      expect(await read({ offset: 8, length: 100 })).toBe("89");
      expect(await read({ offset: 0, length: 0 })).toBe("");
      expect(await read({ offset: 10 })).toBe("");
      expect(await kb.streamFile("d", "missing.txt", { range: { offset: 1 } })).toBeNull();
      for (const range of [{ offset: -1 }, { offset: 1.5 }, { offset: 0, length: -2 }])
        await expectRejects(h, kb.streamFile("d", "digits.txt", { range }), ValidationError);
    });

    it("setIngestionStatus - status and error; the version stays; bad statuses refused", async () => {
      await kb.createKb("d");
      await kb.setIngestionStatus("d", IngestionStatus.INGESTING);
      expect((await kb.getInfo("d"))?.ingestionStatus).toBe("ingesting");
      await kb.setIngestionStatus("d", "error", "parse failed");
      const info = await kb.getInfo("d");
      expect([info?.ingestionStatus, info?.ingestionError, info?.version]).toEqual([
        "error",
        "parse failed",
        "1",
      ]);
      await kb.setIngestionStatus("d", IngestionStatus.READY);
      expect((await kb.getInfo("d"))?.ingestionError).toBeNull();
      await expectRejects(h, kb.setIngestionStatus("d", "done"), ValidationError, "status");
      await expectRejects(h, kb.setIngestionStatus("ghost", "ready"), NotFoundError);
    });

    it("checksum.change-detection - by version or by checksum (C8)", async () => {
      await kb.createKb("my-domain");
      expect(await kb.getChecksum("my-domain")).toBe("");
      const v1 = (await kb.getInfo("my-domain"))?.version as string;
      expect(await kb.hasChangesSince("my-domain", v1)).toBe(false);
      await kb.putFile("my-domain", "b.md", "B");
      await kb.putFile("my-domain", "a.md", "A");
      expect(await kb.hasChangesSince("my-domain", v1)).toBe(true);
      const checksum = await kb.getChecksum("my-domain");
      const expected = await sha256Hex(
        `a.md:${await sha256Hex("A")}\nb.md:${await sha256Hex("B")}`,
      );
      expect(checksum).toBe(expected);
      expect(await kb.hasChangesSince("my-domain", checksum)).toBe(false);
      expect(await kb.hasChangesSince("my-domain", "abc123")).toBe(true);
      await kb.putFile("my-domain", "a.md", "A2");
      expect(await kb.getChecksum("my-domain")).not.toBe(checksum);
      expect(await kb.hasChangesSince("my-domain", checksum)).toBe(true);
      await expectRejects(h, kb.getChecksum("ghost"), NotFoundError);
    });

    /** Every listed file's checksum and size match its bytes. */
    const expectConsistent = async (domain: string): Promise<void> => {
      for (const f of await kb.listFiles(domain)) {
        const bytes = await kb.getFile(domain, f.path);
        expect(bytes === null ? `${f.path}: listed without content` : f.path).toBe(f.path);
        expect([
          f.path,
          await sha256Hex(bytes as Uint8Array),
          (bytes as Uint8Array).length,
        ]).toEqual([f.path, f.checksum, f.sizeBytes]);
      }
    };
    const jittered = (text: string): ReadableStream<Uint8Array> => {
      const bytes = enc(text);
      let i = 0;
      return new ReadableStream({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, Math.random() * 4));
          if (i >= bytes.length) controller.close();
          else controller.enqueue(bytes.subarray(i, i + 7));
          i += 7;
        },
      });
    };

    it("concurrency.same-path - racing uploads of one path: the list matches the bytes", async () => {
      await kb.createKb("d");
      // Short bodies finish streaming together, so the writers' commits race as closely as they can.
      for (let round = 0; round < 15; round++) {
        await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            kb.putFile("d", "same.md", jittered(`# r${round} w${i}`)),
          ),
        );
        await expectConsistent("d");
      }
      const info = await kb.getInfo("d");
      expect([info?.fileCount, info?.version]).toEqual([1, "241"]);
    });

    itUnless(h, !options.reopen && "no reopen: one backend instance only")(
      "concurrency.two-writers - two backends over one storage: nothing lost, the list matches the bytes",
      async () => {
        await kb.createKb("d");
        const other = await (options.reopen as NonNullable<typeof options.reopen>)(kb);
        await other.initialize();
        const write = (backend: KnowledgeResourceBackend, who: string, round: number) =>
          Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              backend.putFile(
                "d",
                i % 2 ? `${who}-${i}.md` : `shared-${i}.md`,
                jittered(`${who} ${round} ${i}`),
              ),
            ),
          );
        for (let round = 0; round < 6; round++)
          await Promise.all([write(kb, "a", round), write(other, "b", round)]);
        await expectConsistent("d");
        const paths = (await other.listFiles("d")).map((f) => f.path);
        expect(paths.length).toBe(4 + 2 * 4);
        expect((await kb.getInfo("d"))?.version).toBe(String(1 + 6 * 16));
        await other.close();
      },
    );

    it("concurrency.put-delete - racing put and delete of one path never list a file without bytes", async () => {
      await kb.createKb("d");
      for (let round = 0; round < 20; round++) {
        await Promise.all([
          kb.putFile("d", "p.md", jittered(`round ${round}`)),
          kb.deleteFile("d", "p.md"),
          kb.putFile("d", "q.md", `q ${round}`),
        ]);
        await expectConsistent("d");
      }
    });

    it("concurrency.read-while-replaced - a reader gets an old or a new version whole", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "r.md", "version 0");
      for (let round = 1; round <= 20; round++) {
        const [, bytes] = await Promise.all([
          kb.putFile("d", "r.md", `version ${round}`),
          kb.getFile("d", "r.md"),
        ]);
        expect([`version ${round - 1}`, `version ${round}`]).toContain(dec(bytes));
      }
    });

    it("placement.file-or-folder - 'a' then 'a/b', or 'd/e' then 'd', is a ConflictError", async () => {
      await kb.createKb("d");
      await kb.putFile("d", "a", "file a");
      await expectRejects(h, kb.putFile("d", "a/b", "x"), ConflictError, "'a' is a file");
      await kb.putFile("d", "d/e", "file d/e");
      await expectRejects(h, kb.putFile("d", "d", "x"), ConflictError, "folder");
      await expectRejects(
        h,
        kb.putFiles("d", [
          { path: "n/1.md", content: "x" },
          { path: "n", content: "y" },
        ]),
        ConflictError,
      );
      expect((await kb.listFiles("d")).map((f) => f.path)).toEqual(["a", "d/e"]);
      expect((await kb.getInfo("d"))?.version).toBe("3");
      // Once 'a' is gone, the folder is free.
      await kb.deleteFile("d", "a");
      await kb.putFile("d", "a/b", "now fine");
      expect(dec(await kb.getFile("d", "a/b"))).toBe("now fine");
    });

    it("putFile.size - a declared size that does not match is refused; nothing listed", async () => {
      await kb.createKb("d");
      const file = await kb.putFile("d", "s.md", bytesToStream(enc("12345")), { size: 5 });
      expect(file.sizeBytes).toBe(5);
      await expectRejects(
        h,
        kb.putFile("d", "t.md", bytesToStream(enc("123")), { size: 4 }),
        ValidationError,
      );
      await expectRejects(h, kb.putFile("d", "t.md", "1", { size: -1 }), ValidationError, "size");
      expect((await kb.listFiles("d")).map((f) => f.path)).toEqual(["s.md"]);
    });

    it("deleteKb.generation - a re-created knowledge base is a new one; late writers fail", async () => {
      const first = await kb.createKb("g");
      await kb.putFile("g", "old.md", "old");
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const slow = kb.putFile(
        "g",
        "late.md",
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            await gate;
            controller.enqueue(enc("late"));
            controller.close();
          },
        }),
      );
      // The upload is under way when the knowledge base goes.
      await new Promise((r) => setTimeout(r, 5));
      expect(await kb.deleteKb("g")).toBe(true);
      const second = await kb.createKb("g");
      release();
      await expectRejects(h, slow, NotFoundError);
      expect(second.generation).not.toBe(first.generation);
      expect(await kb.listFiles("g")).toEqual([]);
      expect(await kb.getFile("g", "old.md")).toBeNull();
      expect(await kb.getFile("g", "late.md")).toBeNull();
      expect((await kb.getInfo("g"))?.fileCount).toBe(0);
      // A status write for the earlier knowledge base does not touch the new one.
      await expectRejects(
        h,
        kb.setIngestionStatus("g", "ready", null, { generation: first.generation }),
        NotFoundError,
      );
      expect((await kb.getInfo("g"))?.ingestionStatus).toBe("pending");
      await kb.setIngestionStatus("g", "ready", null, { generation: second.generation });
      expect((await kb.getInfo("g"))?.ingestionStatus).toBe("ready");
    });

    knowledgeLeaseCases(h, {
      backend: () => kb,
      clock: () => clock,
      itClock: itUnless(h, options.injectableClock === false && "the backend keeps its own clock"),
      itTwo: itUnless(h, !options.reopen && "no reopen: one backend instance only"),
      ...(options.reopen ? { reopen: options.reopen } : {}),
    });

    it("concurrency - 50 concurrent uploads all land, each once", async () => {
      await kb.createKb("d");
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => kb.putFile("d", `f${i}.md`, `# ${i}`)),
      );
      const info = await kb.getInfo("d");
      expect([info?.fileCount, info?.version]).toEqual([50, "51"]);
      expect((await kb.listFiles("d")).length).toBe(50);
    });
  });
}
