/**
 * `src/core/knowledge/chunk/` — Knowledge ingestion's text pipeline: file typing, decoding,
 * JSON/YAML/CSV/gzip to markdown, and the heading-aware chunker. Web-standard APIs only (no file
 * reading), so it runs on every runtime.
 */
import { gzipSync } from "fflate";
import { parse as parseYaml } from "yaml";
import { ValidationError } from "../../../src/core/errors.ts";
import { parseSimpleYaml } from "../../../src/core/knowledge/chunk/front-matter.ts";
import {
  chunkFile,
  chunkMarkdown,
  csvToMarkdown,
  detectFileType,
  gunzipCapped,
  type MarkdownChunk,
  toMarkdown,
} from "../../../src/core/knowledge/chunk/index.ts";
import { rejection, type TestHarness, thrown } from "../../../src/testing/index.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function markdownOf(path: string, content: string | Uint8Array): Promise<string> {
  const doc = await toMarkdown(path, typeof content === "string" ? enc(content) : content);
  if (doc === null) throw new Error(`unsupported: ${path}`);
  return doc.markdown;
}

/** Registers the cases with `h`. */
export function chunkUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  const expectValidation = (error: unknown, ...parts: string[]): void => {
    expect(error instanceof ValidationError).toBe(true);
    for (const part of parts) expect((error as Error).message).toContain(part);
  };
  const expectWellFormed = (chunks: MarkdownChunk[], max: number): void => {
    for (const c of chunks) {
      expect(c.text.trim().length).toBeGreaterThan(0);
      expect(c.text.length).toBeLessThanOrEqual(max);
      expect(c.headingPath).toBe(c.headings.join(" > "));
      expect(c.headingLevels).toHaveLength(c.headings.length);
      expect(c.embeddingText).toBe(c.headingPath === "" ? c.text : `${c.headingPath}\n\n${c.text}`);
    }
  };

  describe(`ingest: file types (${runtime})`, () => {
    it("detectFileType - the last extension, lower-cased, decides; .gz is peeled once", () => {
      const kind = (p: string): string | undefined => detectFileType(p)?.kind;
      expect(
        ["a.md", "b.MARKDOWN", "c.txt", "d.json", "e.yaml", "f.YML", "g.csv"].map(kind),
      ).toEqual(["markdown", "markdown", "text", "json", "yaml", "yaml", "csv"]);
      expect(detectFileType("docs/faq.md.gz")).toEqual({
        kind: "markdown",
        gzip: true,
        innerPath: "docs/faq.md",
      });
      expect(detectFileType("data/cities.CSV.GZ")?.kind).toBe("csv");
      expect(detectFileType("dir/.markdownlint.yaml")?.kind).toBe("yaml");
      for (const p of [
        "logo.png",
        "archive.tar.gz",
        "x.md.gz.gz",
        "README",
        ".gitignore",
        "a.md/b",
      ])
        expect(detectFileType(p)).toBeNull();
    });

    it("toMarkdown - an unsupported type is null, not an error", async () => {
      expect(await toMarkdown("logo.png", new Uint8Array([0x89, 0x50]))).toBeNull();
      expect(await chunkFile("backup.tar.gz", new Uint8Array([1, 2, 3]))).toBeNull();
    });

    it("empty file - zero chunks for every type, gzipped or not", async () => {
      for (const p of ["a.md", "b.txt", "c.json", "d.yaml", "e.csv", "f.md.gz", "g.json"]) {
        const result = await chunkFile(p, p === "g.json" ? enc(" \n\t\n") : new Uint8Array(0));
        expect(result?.chunks).toEqual([]);
      }
      expect((await chunkFile("h.csv.gz", gzipSync(new Uint8Array(0))))?.chunks).toEqual([]);
    });
  });

  describe(`ingest: decoding (${runtime})`, () => {
    it("invalid UTF-8 - ValidationError naming the file and the byte offset", async () => {
      const bad = concat(enc("# Title\n\nabc"), new Uint8Array([0xff]), enc("def"));
      expectValidation(
        await rejection(toMarkdown("docs/bad.md", bad)),
        "docs/bad.md",
        "byte offset 12",
      );
      // An encoded surrogate (ED A0 80) and a truncated sequence are invalid too.
      const surrogate = new Uint8Array([0x61, 0xed, 0xa0, 0x80]);
      expectValidation(await rejection(toMarkdown("s.txt", surrogate)), "byte offset 1");
      const cut = new Uint8Array([0x61, 0x62, 0xe2, 0x82]);
      expectValidation(await rejection(toMarkdown("c.txt", cut)), "byte offset 2");
      // Inside a gzip, the offset is in the decompressed bytes.
      const gz = gzipSync(concat(enc("hello"), new Uint8Array([0xc0, 0x80])));
      expectValidation(await rejection(toMarkdown("x.md.gz", gz)), "x.md.gz", "byte offset 5");
    });

    it("BOM + CRLF - the BOM is dropped and line endings become LF, line numbers kept", async () => {
      const raw = "\uFEFF# Title\r\n\r\nFirst paragraph.\r\n\r\n## Sub\r\rSecond.\r\n";
      const md = await markdownOf("crlf.md", raw);
      expect(md).toBe("# Title\n\nFirst paragraph.\n\n## Sub\n\nSecond.\n");
      const { chunks } = await chunkMarkdown(raw);
      expect(chunks.map((c) => [c.headingPath, c.text, c.lineNumber])).toEqual([
        ["Title", "First paragraph.", 3],
        ["Title > Sub", "Second.", 7],
      ]);
    });

    it("strings are accepted as content, bytes are not required", async () => {
      const doc = await toMarkdown("a.md", "\uFEFFx\r\ny");
      expect(doc).toEqual({ markdown: "x\ny", kind: "markdown", gzip: false });
      expectValidation(await rejection(toMarkdown("a.md.gz", "not bytes")), "a.md.gz");
    });
  });

  describe(`ingest: JSON and YAML (${runtime})`, () => {
    it("JSON - title once, booleans as true/false, nulls skipped, nested objects as sub-headings", async () => {
      const md = await markdownOf(
        "w.json",
        JSON.stringify({
          name: "Widget",
          enabled: true,
          beta: false,
          price: 1.5,
          nothing: null,
          blank: "",
          tags: ["blue", "small"],
          dims: { width: 3, userID: "u1" },
          example: "widget.spin()",
        }),
      );
      expect(md).toBe(
        [
          "# Widget",
          "",
          "**Enabled**: true",
          "",
          "**Beta**: false",
          "",
          "**Price**: 1.5",
          "",
          "**Example**:",
          "",
          "```",
          "widget.spin()",
          "```",
          "",
          "## Tags",
          "",
          "- blue",
          "- small",
          "",
          "## Dims",
          "",
          "**Width**: 3",
          "",
          "**User ID**: u1",
          "",
        ].join("\n"),
      );
      expect(md).not.toContain("True");
      expect(md.match(/Widget/g)).toHaveLength(1);
    });

    it("JSON - records in a list are bullets; objects with nested values are titled sections", async () => {
      const md = await markdownOf(
        "list.json",
        JSON.stringify({
          redirects: [
            { source: "/a", target: "/b" },
            { source: "/c", target: "/d" },
          ],
          faq: [
            { question: "How do I reset my password?", answer: "Go to settings...", tags: ["x"] },
          ],
        }),
      );
      expect(md).toContain(
        "# Redirects\n\n- **Source**: /a; **Target**: /b\n- **Source**: /c; **Target**: /d",
      );
      const { chunks } = await chunkMarkdown(md);
      const faq = chunks.find((c) => c.text.includes("Go to settings"));
      expect(faq?.headingPath).toBe("Faq > How do I reset my password?");
      expect(faq?.embeddingText).toContain("reset my password");
    });

    it("JSON - JSONC (comments, trailing commas) is accepted", async () => {
      const md = await markdownOf(
        "docfx.json",
        '{\n  // build\n  "name": "docs", /* x */\n  "list": [1, 2,],\n}',
      );
      expect(md).toBe("# docs\n\n## List\n\n- 1\n- 2\n");
    });

    it("malformed JSON - ValidationError with the line and column", async () => {
      const error = await rejection(toMarkdown("bad.json", enc('{\n  "a": 1,\n  "b": }\n')));
      expectValidation(error, "Invalid JSON in bad.json", "line 3, column 8");
      expectValidation(await rejection(toMarkdown("cut.json", enc('{"a": [1, 2'))), "end of input");
      expectValidation(await rejection(toMarkdown("c.json", enc("[,]"))), "line 1, column 2");
    });

    it("JSON - nesting deeper than 64 levels is refused, without a stack overflow", async () => {
      const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
      expectValidation(
        await rejection(toMarkdown("deep.json", enc(deep))),
        "nested deeper than 64",
      );
    });

    it("YAML - rendered like JSON; several documents render one after the other", async () => {
      const md = await markdownOf(
        "faq.yaml",
        "title: FAQ\nitems:\n  - question: |\n      Why?\n    answer: Because.\n    steps: [a]\n---\nname: Second\n",
      );
      expect(md).toContain("# FAQ");
      expect(md).toContain("### Why?\n\n**Answer**: Because.");
      const { chunks } = await chunkMarkdown(md);
      expect(chunks.find((c) => c.text.includes("Because."))?.headingPath).toBe(
        "FAQ > Items > Why?",
      );
    });

    it("malformed YAML - ValidationError with the line and column", async () => {
      const error = await rejection(toMarkdown("bad.yaml", enc("a: 1\nb: [1, 2\nc: 3\n")));
      // The parser's position: where it found that the flow sequence was never closed.
      expectValidation(error, "Invalid YAML in bad.yaml", "line 3, column 1");
      const dup = await rejection(toMarkdown("dup.yml", enc("a: 1\na: 2\n")));
      expectValidation(dup, "line 2, column 1");
    });

    it("YAML alias bomb (billion laughs) - fails fast with ValidationError", async () => {
      const lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const name = String.fromCharCode(97 + i);
        lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
      }
      // Expanded, it would be 9^9 strings; it must fail on the alias budget instead.
      const error = await rejection(toMarkdown("bomb.yaml", enc(lines.join("\n"))));
      expectValidation(error, "bomb.yaml", "alias");
    });
  });

  describe(`ingest: CSV (${runtime})`, () => {
    it("CSV - a markdown table, header first, | escaped", async () => {
      expect(await markdownOf("c.csv", "name,code\nFrance,FR\nA|B,x\n")).toBe(
        "| name | code |\n| --- | --- |\n| France | FR |\n| A\\|B | x |\n",
      );
    });

    it("CSV - quoted commas, escaped quotes and quoted newlines (CRLF too) make a valid table", async () => {
      const csv =
        'id,text,note\r\n1,"a, b","say ""hi"""\r\n2,"line one\r\nline two",plain\r\n3,"p|q",\r\n';
      expect(await markdownOf("q.csv", csv)).toBe(
        [
          "| id | text | note |",
          "| --- | --- | --- |",
          '| 1 | a, b | say "hi" |',
          "| 2 | line one<br>line two | plain |",
          "| 3 | p\\|q |  |",
          "",
        ].join("\n"),
      );
    });

    it("ragged rows - ValidationError naming the row and its line", async () => {
      const error = await rejection(toMarkdown("r.csv", enc('a,b,c\n1,2,3\n"x\ny",5\n6,7,8\n')));
      expectValidation(
        error,
        "Invalid CSV in r.csv",
        "row 3 (line 3) has 2 fields",
        "header has 3",
      );
      const long = await rejection(toMarkdown("l.csv", enc("a,b\n1,2\n3,4\n5,6,7\n")));
      expectValidation(long, "row 4 (line 4) has 3 fields");
    });

    it("unterminated quote - ValidationError naming where it starts", async () => {
      const error = await rejection(toMarkdown("u.csv", enc('a,b\n1,2\n3,"open\n4,5\n')));
      expectValidation(error, "u.csv", "unterminated quoted field in row 3 (starting on line 3)");
    });

    it("a CSV with only a header row renders as nothing", () => {
      expect(csvToMarkdown("a,b\n", "h.csv")).toBe("");
    });

    it("big CSV - chunks each repeat the header row, all rows kept once, none too big", async () => {
      const rows = Array.from({ length: 3000 }, (_, i) => `City ${i},Country ${i % 7},${1000 + i}`);
      const result = await chunkFile("cities.csv", enc(`name,country,id\n${rows.join("\n")}\n`));
      const chunks = result?.chunks ?? [];
      expect(chunks.length).toBeGreaterThan(100);
      expectWellFormed(chunks, 500);
      const seen: string[] = [];
      for (const c of chunks) {
        const lines = c.text.split("\n");
        expect(lines.slice(0, 2)).toEqual(["| name | country | id |", "| --- | --- | --- |"]);
        seen.push(...lines.slice(2));
      }
      expect(seen).toHaveLength(3000);
      expect(seen[2999]).toBe("| City 2999 | Country 3 | 3999 |");
      expect(chunks[1]?.lineNumber).toBe(3 + (chunks[0]?.text.split("\n").length ?? 0) - 2);
    });

    it("a row too wide for a chunk with the header becomes Header: value lines", async () => {
      const header = Array.from({ length: 40 }, (_, i) => `column_name_${i}`).join(",");
      const row = Array.from({ length: 40 }, (_, i) => `value-${i}`).join(",");
      const { chunks } = (await chunkFile("wide.csv", enc(`${header}\n${row}\n`))) ?? {
        chunks: [],
      };
      expectWellFormed(chunks, 500);
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) expect(c.text.startsWith("column_name_0: value-0")).toBe(true);
      expect(chunks.map((c) => c.text).join("\n")).toContain("column_name_39: value-39");
    });
  });

  describe(`ingest: gzip (${runtime})`, () => {
    it("gzip - decompressed, and the inner extension decides the type", async () => {
      const result = await chunkFile("faq.md.gz", gzipSync(enc("# FAQ\n\nAnswer.")));
      expect(result?.kind).toBe("markdown");
      expect(result?.gzip).toBe(true);
      expect(result?.chunks.map((c) => c.text)).toEqual(["Answer."]);
      const csv = await toMarkdown("t.csv.gz", gzipSync(enc("a\n1\n")));
      expect(csv?.markdown).toBe("| a |\n| --- |\n| 1 |\n");
    });

    it("gzip - concatenated members decompress to their concatenation", () => {
      const two = concat(gzipSync(enc("hello ")), gzipSync(enc("world")));
      expect(new TextDecoder().decode(gunzipCapped(two, "two.gz"))).toBe("hello world");
    });

    it("truncated gzip - ValidationError, whether cut in the data, the trailer or the header", async () => {
      const text = Array.from({ length: 2000 }, (_, i) => `line ${i} of some text`).join("\n");
      const gz = gzipSync(enc(text));
      for (const cut of [gz.length >> 1, gz.length - 4, gz.length - 1, 12, 5]) {
        const error = await rejection(toMarkdown("t.md.gz", gz.subarray(0, cut)));
        expectValidation(error, "Cannot gunzip t.md.gz");
      }
      const corrupt = gz.slice();
      corrupt[corrupt.length - 6] = (corrupt[corrupt.length - 6] as number) ^ 0xff; // CRC byte
      expectValidation(await rejection(toMarkdown("c.md.gz", corrupt)), "CRC-32");
      expectValidation(
        await rejection(toMarkdown("n.md.gz", enc("plain text, not gzip"))),
        "bad magic",
      );
    });

    it("gzip bomb - fails as soon as the output passes the cap", async () => {
      const bomb = gzipSync(new Uint8Array(20 * 1024 * 1024), { level: 9 });
      expect(bomb.length).toBeLessThan(100_000);
      const error = await rejection(
        toMarkdown("bomb.md.gz", bomb, { maxDecompressedBytes: 1024 * 1024 }),
      );
      expectValidation(error, "bomb.md.gz", "exceeds the limit of 1048576 bytes");
      // A bomb whose trailer lies about its size is stopped while decompressing, at the cap.
      const liar = bomb.slice();
      liar.set([100, 0, 0, 0], liar.length - 4);
      const lied = thrown(() => gunzipCapped(liar, "liar.gz", 1024 * 1024));
      expectValidation(lied, "liar.gz", "exceeds the limit of 1048576 bytes");
      // The same data under a cap it fits in is fine.
      const ok = gunzipCapped(gzipSync(new Uint8Array(1000)), "ok.gz", 1000);
      expect(ok.length).toBe(1000);
      expectValidation(
        thrown(() => gunzipCapped(gzipSync(new Uint8Array(1001)), "b.gz", 1000)),
        "limit",
      );
    });
  });

  describe(`ingest: chunkMarkdown (${runtime})`, () => {
    it("seed example - exactly one chunk under FAQ > How do I reset my password?", async () => {
      const { chunks } = await chunkMarkdown(
        "# FAQ\n\n## How do I reset my password?\n\nGo to settings...",
      );
      expect(chunks).toHaveLength(1);
      expect(chunks[0]).toEqual({
        text: "Go to settings...",
        embeddingText: "FAQ > How do I reset my password?\n\nGo to settings...",
        headings: ["FAQ", "How do I reset my password?"],
        headingLevels: [1, 2],
        headingPath: "FAQ > How do I reset my password?",
        lineNumber: 5,
      });
      expect(chunks[0]?.embeddingText).toContain("reset my password");
    });

    it("front matter - removed from the text, returned parsed, line numbers still count it", async () => {
      const md =
        "---\ntitle: Arrays\nms.date: 03/24/2026\nno-loc: [Count, Length]\n---\n# about_Arrays\n\nText.\n";
      const { chunks, frontMatter } = await chunkMarkdown(md);
      expect(frontMatter).toEqual({
        title: "Arrays",
        "ms.date": "03/24/2026",
        "no-loc": ["Count", "Length"],
      });
      expect(chunks.map((c) => [c.text, c.lineNumber])).toEqual([["Text.", 8]]);
    });

    it("broken front matter - never throws; it stays as text", async () => {
      const md = "---\ntitle: [unclosed\naliases:\n  - %\n---\n# Doc\n\nBody.\n";
      const { chunks, frontMatter } = await chunkMarkdown(md);
      expect(frontMatter).toBeNull();
      expect(chunks.map((c) => c.text).join("\n")).toContain("title: [unclosed");
      expect(chunks.at(-1)?.text).toBe("Body.");
      // An opening line without a closing one is not front matter either.
      expect((await chunkMarkdown("---\nnot closed\n")).chunks.map((c) => c.text)).toEqual([
        "not closed",
      ]);
    });

    it("front matter fast path - equals the yaml package on what it accepts", () => {
      const samples = [
        "a: 1\nb: 1.5\nc: true\nd: False\ne: null\nf: ~\ng: 2.0.0\nh: 03/24/2026\ni: 1e3\nj: +7\n",
        "online version: https://x.y/z?view=a&b=c#frag\nschema: 2.0.0\n# comment\n\nk: it's\n",
        "list:\n  - one\n  - 2\n  - true\nflow: [a, 1, -x]\nempty: []\nnone:\n",
        "seq:\n- a\n- b\nnext: c\n",
      ];
      for (const s of samples) expect(parseSimpleYaml(s)).toEqual(parseYaml(s));
      // What it does not know, it leaves to the yaml package.
      for (const s of [
        "a: 0x1F\n",
        "a: .inf\n",
        "a: 'q'\n",
        "a:\n  b: 1\n",
        "a: b: c\n",
        "a: 1 # c\n",
        "a: 1\na: 2\n",
      ])
        expect(parseSimpleYaml(s)).toBeUndefined();
    });

    it("deep heading paths - six levels, and a shallower heading pops back up", async () => {
      const md =
        "# A\n## B\n### C\n#### D\n##### E\n###### F\n\ndeep\n\n### G\n\nmid\n\n# H ##\n\ntop\n";
      const { chunks } = await chunkMarkdown(md);
      expect(chunks.map((c) => [c.headingPath, c.headingLevels, c.text])).toEqual([
        ["A > B > C > D > E > F", [1, 2, 3, 4, 5, 6], "deep"],
        ["A > B > G", [1, 2, 3], "mid"],
        ["H", [1], "top"],
      ]);
    });

    it("headings - a heading with no content gives no chunk; #tag and ####### are text", async () => {
      const { chunks } = await chunkMarkdown(
        "# Empty\n## Also empty\n# C# tips\n\n#tag is text\n####### seven\n",
      );
      expect(chunks.map((c) => [c.headingPath, c.text])).toEqual([
        ["C# tips", "#tag is text\n####### seven"],
      ]);
      expect((await chunkMarkdown("# Only\n\n## Headings\n")).chunks).toEqual([]);
      expect((await chunkMarkdown("")).chunks).toEqual([]);
    });

    it("text before the first heading has an empty heading path", async () => {
      const { chunks } = await chunkMarkdown("Intro.\n\n# Title\n\nBody.");
      expect(chunks[0]).toEqual({
        text: "Intro.",
        embeddingText: "Intro.",
        headings: [],
        headingLevels: [],
        headingPath: "",
        lineNumber: 1,
      });
    });

    it("paragraphs - packed together up to the limit, never split when they fit", async () => {
      const para = (i: number): string => `Paragraph ${i} has some words in it. It ends here.`;
      const md = `# T\n\n${Array.from({ length: 30 }, (_, i) => para(i)).join("\n\n")}\n`;
      const { chunks } = await chunkMarkdown(md, { maxChunkSize: 200, chunkOverlap: 20 });
      expectWellFormed(chunks, 200);
      expect(chunks.length).toBeLessThan(12);
      const all = chunks.flatMap((c) => c.text.split("\n\n"));
      expect(all).toEqual(Array.from({ length: 30 }, (_, i) => para(i)));
      expect(chunks[1]?.lineNumber).toBe(3 + 2 * (chunks[0]?.text.split("\n\n").length ?? 0));
    });

    it("long paragraph - split at sentence ends, with overlap between consecutive pieces", async () => {
      const sentences = Array.from(
        { length: 40 },
        (_, i) => `Sentence number ${i} says something useful.`,
      );
      const { chunks } = await chunkMarkdown(`# Long\n\n${sentences.join(" ")}`, {
        maxChunkSize: 300,
        chunkOverlap: 50,
      });
      expectWellFormed(chunks, 300);
      expect(chunks.length).toBeGreaterThan(4);
      for (let i = 0; i + 1 < chunks.length; i++) {
        const prev = chunks[i]?.text ?? "";
        const next = chunks[i + 1]?.text ?? "";
        expect(prev.endsWith(".")).toBe(true);
        // The next piece starts with the last words of this one (≤ 50 characters of overlap).
        const head = next.slice(0, 20);
        expect(prev.slice(-60)).toContain(head);
      }
      const joined = chunks.map((c) => c.text).join(" ");
      for (const s of sentences) expect(joined).toContain(s);
    });

    it("a single token longer than a chunk is cut at the limit", async () => {
      const token = "x".repeat(1200);
      const { chunks } = await chunkMarkdown(`before ${token} after`, {
        maxChunkSize: 500,
        chunkOverlap: 50,
      });
      expectWellFormed(chunks, 500);
      expect(
        chunks
          .map((c) => c.text)
          .join("")
          .replaceAll(/\s/g, ""),
      ).toContain(token);
    });

    it("code fences - kept whole, # lines inside are not headings, ~~~ works too", async () => {
      const md =
        "# Setup\n\n```powershell\n# not a heading\nGet-Process\n```\n\n~~~\n## nor this\n~~~\n\nAfter.\n";
      const { chunks } = await chunkMarkdown(md);
      expect(chunks).toHaveLength(1);
      expect(chunks[0]?.headingPath).toBe("Setup");
      expect(chunks[0]?.text).toBe(
        "```powershell\n# not a heading\nGet-Process\n```\n\n~~~\n## nor this\n~~~\n\nAfter.",
      );
    });

    it("unclosed code fence - runs to the next heading, and its chunk gets a closing fence", async () => {
      const md =
        "# A\n\n```bash\necho one\n\necho two\n## B\n\nText of B.\n\n~~~\nstray at the end";
      const { chunks } = await chunkMarkdown(md);
      expect(chunks.map((c) => [c.headingPath, c.text])).toEqual([
        ["A", "```bash\necho one\n\necho two\n```"],
        ["A > B", "Text of B.\n\n~~~\nstray at the end\n~~~"],
      ]);
      // A later bare fence line does close it (CommonMark): everything between is code.
      const closed = (await chunkMarkdown("# A\n\n```bash\n## B\n```\n")).chunks;
      expect(closed.map((c) => [c.headingPath, c.text])).toEqual([["A", "```bash\n## B\n```"]]);
    });

    it("long code block - split by lines, each piece re-opens the fence with its info string", async () => {
      const lines = Array.from({ length: 60 }, (_, i) => `print("line ${i}")`);
      const md = `# Code\n\n\`\`\`python\n${lines.join("\n")}\n\`\`\`\n`;
      const { chunks } = await chunkMarkdown(md, { maxChunkSize: 200, chunkOverlap: 20 });
      expectWellFormed(chunks, 200);
      expect(chunks.length).toBeGreaterThan(5);
      const body: string[] = [];
      for (const c of chunks) {
        const l = c.text.split("\n");
        expect(l[0]).toBe("```python");
        expect(l.at(-1)).toBe("```");
        body.push(...l.slice(1, -1));
      }
      expect(body).toEqual(lines);
      expect(chunks[0]?.lineNumber).toBe(4);
    });

    it("table splitting - by rows, each piece repeating the header row", async () => {
      const rows = Array.from({ length: 50 }, (_, i) => `| key${i} | value number ${i} |`);
      const md = `# Table\n\nIntro.\n\n| Key | Value |\n|:----|------:|\n${rows.join("\n")}\n\nOutro.\n`;
      const { chunks } = await chunkMarkdown(md, { maxChunkSize: 300, chunkOverlap: 30 });
      expectWellFormed(chunks, 300);
      const tables = chunks.filter((c) => c.text.includes("| key"));
      expect(tables.length).toBeGreaterThan(2);
      const seen: string[] = [];
      for (const c of tables) {
        const l = c.text.split("\n").filter((x) => x.startsWith("|"));
        expect(l.slice(0, 2)).toEqual(["| Key | Value |", "|:----|------:|"]);
        seen.push(...l.slice(2));
      }
      expect(seen).toEqual(rows);
      expect(chunks.at(-1)?.text.endsWith("Outro.")).toBe(true);
    });

    it("a table that fits is kept whole", async () => {
      const md = "## T\n\n| a | b |\n| - | - |\n| 1 | 2 |\n| 3 | 4 |\n";
      expect((await chunkMarkdown(md)).chunks.map((c) => c.text)).toEqual([
        "| a | b |\n| - | - |\n| 1 | 2 |\n| 3 | 4 |",
      ]);
    });

    it("lists - kept whole when they fit; a long list is split between items", async () => {
      const short = "# L\n\n- one\n- two\n  continued\n\n  nested para\n- three\n";
      expect((await chunkMarkdown(short)).chunks.map((c) => c.text)).toEqual([
        "- one\n- two\n  continued\n\n  nested para\n- three",
      ]);
      const items = Array.from({ length: 40 }, (_, i) => `${i + 1}. Step ${i} of the procedure.`);
      const { chunks } = await chunkMarkdown(`# Steps\n\n${items.join("\n")}\n`, {
        maxChunkSize: 150,
        chunkOverlap: 10,
      });
      expectWellFormed(chunks, 150);
      expect(chunks.flatMap((c) => c.text.split("\n"))).toEqual(items);
    });

    it("a list item with a long code block is split by the code's own rule", async () => {
      const code = Array.from({ length: 30 }, (_, i) => `    Write-Output ${i}`).join("\n");
      const md = `# P\n\n1. Run this:\n\n    \`\`\`powershell\n${code}\n    \`\`\`\n\n2. Done.\n`;
      const { chunks } = await chunkMarkdown(md, { maxChunkSize: 200, chunkOverlap: 20 });
      expectWellFormed(chunks, 200);
      const fenced = chunks.filter((c) => c.text.includes("Write-Output"));
      expect(fenced.length).toBeGreaterThan(1);
      for (const c of fenced) expect(c.text).toMatch(/```powershell\n[\s\S]*\n\s*```$/);
      expect(chunks.map((c) => c.text).join("\n")).toContain("2. Done.");
    });

    it("no chunk is empty or larger than the limit on a messy document", async () => {
      const md = [
        "---",
        "title: x",
        "---",
        "# Mess",
        "",
        "> quote line",
        "---",
        "***",
        "|not a table|",
        "",
        "```",
        "",
        "```",
        "",
        `${"word ".repeat(400)}`,
        "######",
        "- ",
        "",
        "<!-- comment -->",
      ].join("\r\n");
      for (const [max, overlap] of [
        [500, 50],
        [100, 10],
        [40, 0],
        [1, 0],
      ] as const) {
        expectWellFormed(
          (await chunkMarkdown(md, { maxChunkSize: max, chunkOverlap: overlap })).chunks,
          max,
        );
      }
    });

    it("hostile input - linear work: stray fences, nested markers, long blank runs", async () => {
      // Each would take minutes if any step were quadratic (the runner's timeout is the check).
      const fences = Array.from({ length: 2000 }, (_, i) => `${"`".repeat(2003 - i)}\ntext ${i}`);
      const a = await chunkMarkdown(`# A\n\n${fences.join("\n")}\n`);
      expectWellFormed(a.chunks, 500);
      const b = await chunkMarkdown(`# B\n\n${"- + ".repeat(50_000)}x\n`);
      expectWellFormed(b.chunks, 500);
      const c = await chunkMarkdown(`${"\n".repeat(100_000)}x${" ".repeat(200_000)}y`);
      expect(c.chunks.map((k) => k.text)).toEqual(["x", "y"]);
      const csv = await markdownOf("blank.csv", `a,b\n"${" ".repeat(200_000)}x\ny",2\n`);
      expect(csv).toContain("| x<br>y | 2 |");
      const json = await markdownOf(
        "nl.json",
        JSON.stringify({ code: `${"\n".repeat(100_000)}x` }),
      );
      expect(json.endsWith("x\n```\n")).toBe(true);
    });

    it("options - an overlap over half the chunk size or a size below 1 is a ValidationError", async () => {
      expectValidation(
        await rejection(chunkMarkdown("x", { maxChunkSize: 100, chunkOverlap: 60 })),
        "chunkOverlap",
      );
      expectValidation(await rejection(chunkMarkdown("x", { maxChunkSize: 0 })), "maxChunkSize");
      expectValidation(await rejection(chunkMarkdown("x", { maxChunkSize: 10.5 })), "maxChunkSize");
    });

    it("chunkFile - front matter is only read from markdown files", async () => {
      const text = "---\ntitle: x\n---\nbody";
      expect((await chunkFile("a.md", enc(text)))?.frontMatter).toEqual({ title: "x" });
      const plain = await chunkFile("a.txt", enc(text));
      expect(plain?.frontMatter).toBeNull();
      expect(plain?.chunks.map((c) => c.text).join("\n")).toContain("title: x");
    });
  });
}
