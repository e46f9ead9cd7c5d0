// A markdown page that is only front matter (title, description) is indexed from its front
// matter instead of being skipped with no chunk — unit cases, then the real docs corpus: every
// page's own front matter, its body removed, gives chunks and is found by its description.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chunkFile } from "../../src/core/knowledge/chunk/chunk-file.ts";
import { frontMatterMarkdown } from "../../src/core/knowledge/chunk/front-matter.ts";
import {
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../../src/index.ts";
import { docsCorpusDir, docsManifest, hasData, NO_DATA } from "../fixtures/data.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("front-matter-only pages", () => {
  it("give one chunk: the title as heading, description, summary and keywords as text", async () => {
    const page =
      "---\ntitle: Install Hugo\ndescription: Install Hugo on macOS, Linux or Windows.\nsummary: Three ways.\nkeywords: [install, setup]\nweight: 10\n---\n";
    const result = await chunkFile("content/install/_index.md", enc(page));
    expect(result?.chunks).toEqual([
      {
        text: "Install Hugo on macOS, Linux or Windows.\n\nThree ways.\n\nKeywords: install, setup",
        embeddingText:
          "Install Hugo\n\nInstall Hugo on macOS, Linux or Windows.\n\nThree ways.\n\nKeywords: install, setup",
        headings: ["Install Hugo"],
        headingLevels: [1],
        headingPath: "Install Hugo",
        lineNumber: 1,
      },
    ]);
    expect(result?.frontMatter?.weight).toBe(10);
  });

  it("a title alone is heading and text; keywords may be a comma-separated string", async () => {
    const only = await chunkFile("a.md", enc("---\ntitle: Glossary\n---\n\n"));
    expect(only?.chunks.map((c) => [c.headingPath, c.text])).toEqual([["Glossary", "Glossary"]]);
    expect(frontMatterMarkdown({ keywords: "a, b,,c" })).toBe("Keywords: a, b, c\n");
    expect(frontMatterMarkdown({ title: "  Two\n words " })).toBe("# Two words\n\nTwo words\n");
  });

  it("front matter without those fields, or a page with a body, changes nothing", async () => {
    expect((await chunkFile("a.md", enc("---\nweight: 3\ndraft: true\n---\n")))?.chunks).toEqual(
      [],
    );
    expect(frontMatterMarkdown({ weight: 3, aliases: ["/x"] })).toBe("");
    const body = await chunkFile("b.md", enc("---\ntitle: T\ndescription: D\n---\n# H\n\nBody.\n"));
    expect(body?.chunks.map((c) => [c.headingPath, c.text])).toEqual([["H", "Body."]]);
    // Not markdown: a text file's leading --- block is text, as before.
    const txt = await chunkFile("c.txt", enc("---\ntitle: T\n---\n"));
    expect(txt?.chunks.map((c) => [c.headingPath, c.text])).toEqual([["", "title: T"]]);
  });

  it("long fields are split like any text: no chunk over the size limit", async () => {
    const description = "Words of a long description. ".repeat(60);
    const result = await chunkFile(
      "l.md",
      enc(`---\ntitle: L\ndescription: ${description}\n---\n`),
      {
        maxChunkSize: 200,
        chunkOverlap: 20,
      },
    );
    expect(result?.chunks.length).toBeGreaterThan(5);
    for (const c of result?.chunks ?? []) {
      expect(c.text.length).toBeLessThanOrEqual(200);
      expect([c.headingPath, c.lineNumber]).toEqual(["L", 1]);
    }
  });
});

if (!hasData()) console.log(NO_DATA);

describe.skipIf(!hasData())("front-matter-only pages of the real docs corpus", () => {
  // Each markdown page's own front matter with its body cut off: the shape of the pages (section
  // indexes, redirects) that a Hugo site has and that used to give no chunk and be skipped.
  const pages = hasData()
    ? docsManifest()
        .filter((e) => e.path.endsWith(".md"))
        .flatMap((e) => {
          const text = readFileSync(join(docsCorpusDir(), e.path), "utf8").replace(/\r\n?/g, "\n");
          const m = /^\uFEFF?---\n[\s\S]*?\n---[ \t]*\n/.exec(text);
          return m ? [{ path: e.path, text: m[0] }] : [];
        })
    : [];

  it("every page with a title or description gives chunks", async () => {
    let withFields = 0;
    const lost: string[] = [];
    for (const page of pages) {
      const result = await chunkFile(page.path, enc(page.text));
      const data = result?.frontMatter ?? {};
      if (!data.title && !data.description) continue;
      withFields++;
      if (!result?.chunks.length) lost.push(page.path);
    }
    expect(withFields).toBeGreaterThan(2500);
    expect(lost).toEqual([]);
  });

  it("ingested, such pages are found by their description", async () => {
    const sample = pages.slice(0, 300);
    const source = new InMemoryKnowledgeBackend();
    await source.createKb("fm");
    await source.putFiles(
      "fm",
      sample.map((p) => ({ path: p.path, content: enc(p.text) })),
    );
    const kb = new RAGKnowledgeBase();
    const result = await new KnowledgeIngestionManager({ source, destination: kb }).ingest("fm");
    expect(result.errors).toEqual([]);
    // Pages whose front matter has none of the fields still give no chunk and are skipped.
    const indexable = sample.filter((p) => /\n(title|description):/.test(p.text)).length;
    expect(indexable).toBeGreaterThan(290);
    expect(result.filesProcessed).toBe(indexable);
    let probed = 0;
    let found = 0;
    for (const page of sample.slice(0, 100)) {
      const description = /\ndescription: *(.+)\n/.exec(page.text)?.[1];
      if (!description || description.length < 30) continue;
      probed++;
      const hits = await kb.query(description, { k: 5, perSource: true });
      if (hits.some((h) => h.source.endsWith(page.path))) found++;
    }
    expect(probed).toBeGreaterThan(50);
    expect(found / probed).toBeGreaterThan(0.9);
    console.log(
      `front-matter-only pages: ${found}/${probed} found by their description in the top 5`,
    );
  }, 120_000);
});
