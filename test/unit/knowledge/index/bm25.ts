/**
 * `src/core/knowledge/index/bm25/` — Unit cases of lexical search (tokenizer, Porter2 stemmer,
 * BM25 index), runnable on every runtime through the harness: Web-standard APIs only, no file
 * access.
 */
import { ValidationError } from "../../../../src/core/errors.ts";
import {
  Bm25Index,
  type Bm25Options,
  type SearchDocument,
  stemEnglish,
  tokenize,
} from "../../../../src/core/knowledge/index/bm25/index.ts";
import { PAGE_BITS, PostingPool } from "../../../../src/core/knowledge/index/bm25/postings.ts";
import { type TestHarness, thrown } from "../../../../src/testing/index.ts";

const doc = (id: string, text: string, heading = "", group?: string): SearchDocument =>
  group === undefined
    ? { id, fields: { heading, text } }
    : { id, group, fields: { heading, text } };

// A small corpus with groups (files split into chunks), headings, and several scripts.
const CORPUS: SearchDocument[] = [
  doc("guide#0", "Install the solar panels on a south-facing roof.", "Solar guide", "guide.md"),
  doc(
    "guide#1",
    "Panels need cleaning twice a year; dust lowers output.",
    "Solar guide",
    "guide.md",
  ),
  doc(
    "guide#2",
    "Inverters convert direct current to alternating current.",
    "Solar guide",
    "guide.md",
  ),
  doc("faq#0", "Refunds are paid within 14 days of the request.", "Refunds", "faq.md"),
  doc("faq#1", "Shipping to Europe takes 5 to 7 working days.", "Shipping", "faq.md"),
  doc("wind#0", "Wind turbines produce power when the wind blows.", "Wind power", "wind.md"),
  doc("ru#0", "Солнечные панели устанавливают на крыше.", "Солнечная энергия", "ru.md"),
  doc("zh#0", "太阳能电池板安装在屋顶上。", "太阳能", "zh.md"),
  doc("ar#0", "تُرَكَّبُ الأَلْوَاحُ الشَّمْسِيَّةُ عَلَى السَّطْحِ.", "الطاقة الشمسية", "ar.md"),
  doc("loose", "Cleaning dust from solar panels restores output.", "Maintenance"),
];

const QUERIES = [
  "solar panels",
  "cleaning dust output",
  "refund request",
  "wind power",
  "солнечные панели",
  "太阳能",
  "الألواح الشمسية",
  "current",
  "days",
];

function build(docs: readonly SearchDocument[], options: Bm25Options = {}): Bm25Index {
  const index = new Bm25Index(options);
  for (const d of docs) index.add(d);
  return index;
}

/** Registers the cases with `h`. */
export function bm25Units(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`search tokenizer (${runtime})`, () => {
    it("search.tokenize.english - lower-cases, drops stopwords, stems", () => {
      expect(tokenize("The patients were running clinical trials")).toEqual([
        "patient",
        "run",
        "clinic",
        "trial",
      ]);
    });

    it("search.tokenize.unicode - NFKC, ligatures and Latin diacritics fold", () => {
      expect(tokenize("Ｆｕｌｌ ﬁnal CAFÉ Straße")).toEqual(["full", "final", "cafe", "strass"]);
      expect(tokenize("naïve")).toEqual(tokenize("naive"));
    });

    it("search.tokenize.punctuation - hyphens, apostrophes, numbers, acronyms", () => {
      expect(tokenize("IL-6")).toEqual(["il", "6"]);
      expect(tokenize("1,000 patients, p = 0.016")).toEqual(["1000", "patient", "p", "0.016"]);
      expect(tokenize("Alzheimer’s patients' U.S.A.")).toEqual(["alzheim", "patient", "usa"]);
      expect(tokenize("don't")).toEqual([]);
      expect(tokenize("node.js")).toEqual(["node", "js"]);
    });

    it("search.tokenize.cjk - characters and neighbouring pairs, never dropped", () => {
      expect(tokenize("机器学习")).toEqual(["机", "机器", "器", "器学", "学", "学习", "习"]);
      expect(tokenize("Pythonの本")).toEqual(["python", "の", "の本", "本"]);
      expect(tokenize("한국어")).toEqual(["한", "한국", "국", "국어", "어"]);
    });

    it("search.tokenize.arabic - optional diacritics and alef forms are normalised", () => {
      expect(tokenize("أَحْمَد")).toEqual(["احمد"]);
      expect(tokenize("مدرسة")).toEqual(tokenize("مدرسه"));
      expect(tokenize("٣٤")).toEqual(["34"]);
    });

    it("search.tokenize.cyrillic - lower-cased, ё folded, not stemmed", () => {
      expect(tokenize("Привет, МИР! Ёлка книги")).toEqual(["привет", "мир", "елка", "книги"]);
    });

    it("search.tokenize.empty - no text, no terms", () => {
      expect(tokenize("")).toEqual([]);
      expect(tokenize("  ,.;!? -- ")).toEqual([]);
    });
  });

  describe(`search Porter2 stemmer (${runtime})`, () => {
    it("search.stem.porter2 - known pairs from the published algorithm", () => {
      const pairs: [string, string][] = [
        ["consign", "consign"],
        ["consigned", "consign"],
        ["consignment", "consign"],
        ["consistency", "consist"],
        ["consistently", "consist"],
        ["generously", "generous"],
        ["generation", "generat"],
        ["knightly", "knight"],
        ["running", "run"],
        ["hopping", "hop"],
        ["hoped", "hope"],
        ["caresses", "caress"],
        ["ponies", "poni"],
        ["ties", "tie"],
        ["cried", "cri"],
        ["agreed", "agre"],
        ["feed", "feed"],
        ["relational", "relat"],
        ["conditional", "condit"],
        ["rational", "ration"],
        ["digitizer", "digit"],
        ["conformably", "conform"],
        ["radically", "radic"],
        ["differently", "differ"],
        ["vilely", "vile"],
        ["analogously", "analog"],
        ["vietnamization", "vietnam"],
        ["predication", "predic"],
        ["operator", "oper"],
        ["feudalism", "feudal"],
        ["decisiveness", "decis"],
        ["hopefulness", "hope"],
        ["callousness", "callous"],
        ["formality", "formal"],
        ["sensitivity", "sensit"],
        ["sensibility", "sensibl"],
        ["beautiful", "beauti"],
        ["happiness", "happi"],
        ["saying", "say"],
        ["knitting", "knit"],
        ["abilities", "abil"],
        ["communication", "communic"],
        ["arsenal", "arsenal"],
        ["skies", "sky"],
        ["dying", "die"],
        ["news", "news"],
        ["inning", "inning"],
        ["by", "by"],
      ];
      expect(pairs.map(([word]) => [word, stemEnglish(word)])).toEqual(pairs);
    });
  });

  describe(`search BM25 index (${runtime})`, () => {
    it("search.rank.rare-term - a unit with the rare query term outranks those without", () => {
      const index = build([
        doc("a", "the cat sat on the mat"),
        doc("b", "the dog sat on the log"),
        doc("c", "a zebra sat"),
      ]);
      const hits = index.search("sat zebra");
      expect(hits.map((x) => x.id)[0]).toBe("c");
      expect(hits).toHaveLength(3);
      expect(hits[0]?.score ?? 0).toBeGreaterThan(hits[1]?.score ?? 0);
    });

    it("search.rank.stemming - inflected forms match", () => {
      const index = build([doc("a", "Running the generator"), doc("b", "Unrelated text")]);
      expect(index.search("runs generation").map((x) => x.id)).toEqual(["a"]);
    });

    it("search.rank.scripts - Russian, Chinese and Arabic text is searchable", () => {
      const index = build(CORPUS);
      expect(index.search("солнечные панели")[0]?.id).toBe("ru#0");
      expect(index.search("太阳能")[0]?.id).toBe("zh#0");
      expect(index.search("الألواح الشمسية")[0]?.id).toBe("ar#0");
    });

    it("search.rank.field-weights - a heavier field decides the order", () => {
      const docs = [
        doc("x", "installation guide", "solar panels"),
        doc("y", "solar panels", "installation guide"),
      ];
      const headingFirst = build(docs, { fieldWeights: { heading: 3 } });
      expect(headingFirst.search("solar").map((x) => x.id)).toEqual(["x", "y"]);
      const textFirst = build(docs, { fieldWeights: { heading: 1, text: 3 } });
      expect(textFirst.search("solar").map((x) => x.id)).toEqual(["y", "x"]);
    });

    it("search.rank.ties - equal scores are ordered by id, whatever the insertion order", () => {
      const index = build([doc("b", "same text"), doc("c", "same text"), doc("a", "same text")]);
      const hits = index.search("text");
      expect(hits.map((x) => x.id)).toEqual(["a", "b", "c"]);
      expect(hits[0]?.score).toBe(hits[2]?.score);
    });

    it("search.k - at most k hits, best first", () => {
      const index = build(CORPUS);
      expect(index.search("solar panels", { k: 2 })).toHaveLength(2);
      expect(index.search("solar panels", { k: 0 })).toEqual([]);
      const all = index.search("solar panels", { k: 100 });
      for (let i = 1; i < all.length; i++) {
        expect(all[i - 1]?.score ?? 0).toBeGreaterThanOrEqual(all[i]?.score ?? 0);
      }
      expect(index.search("solar panels", { k: 2 })).toEqual(all.slice(0, 2));
      expect(index.search("solar panels", { k: 2 ** 31 })).toEqual(all);
    });

    it("search.empty - empty index, empty query and stopword-only query find nothing", () => {
      expect(new Bm25Index().search("solar")).toEqual([]);
      const index = build(CORPUS);
      expect(index.search("")).toEqual([]);
      expect(index.search("the and of to")).toEqual([]);
      expect(index.search("nonexistentword")).toEqual([]);
    });

    it("search.filter - only ids the filter accepts, still k of them", () => {
      const index = build(CORPUS);
      const hits = index.search("solar panels output", {
        k: 2,
        filter: (id) => id.startsWith("guide#"),
      });
      expect(hits).toHaveLength(2);
      for (const hit of hits) expect(hit.id).toMatch(/^guide#/);
    });

    it("search.filter-throws - a throwing filter leaves later searches unaffected", () => {
      const index = build(CORPUS);
      const before = index.search("solar panels output", { k: 100 });
      const collapsed = index.search("solar panels output", { k: 100, collapseGroups: true });
      for (const collapseGroups of [false, true]) {
        const error = thrown(() =>
          index.search("solar panels output", {
            collapseGroups,
            filter: () => {
              throw new Error("boom");
            },
          }),
        );
        expect((error as Error).message).toBe("boom");
      }
      expect(index.search("solar panels output", { k: 100 })).toEqual(before);
      expect(index.search("solar panels output", { k: 100, collapseGroups: true })).toEqual(
        collapsed,
      );
    });

    it("search.collapse - at most one unit per group", () => {
      const index = build(CORPUS);
      const hits = index.search("solar panels cleaning", { k: 10, collapseGroups: true });
      const guides = hits.filter((x) => x.id.startsWith("guide#"));
      expect(guides).toHaveLength(1);
      expect(hits.map((x) => x.id)).toContain("loose");
    });

    it("search.remove - removed ids are never returned; has and size follow", () => {
      const index = build(CORPUS);
      expect(index.size).toBe(CORPUS.length);
      expect(index.remove("loose")).toBe(true);
      expect(index.remove("loose")).toBe(false);
      expect(index.has("loose")).toBe(false);
      expect(index.size).toBe(CORPUS.length - 1);
      for (const q of QUERIES) {
        expect(index.search(q, { k: 100 }).map((x) => x.id)).not.toContain("loose");
      }
    });

    it("search.remove-group - a file's chunks go, and re-adding replaces them", () => {
      const index = build(CORPUS);
      expect(index.removeGroup("guide.md")).toBe(3);
      expect(index.removeGroup("guide.md")).toBe(0);
      expect(index.has("guide#0")).toBe(false);
      for (const q of QUERIES) {
        for (const hit of index.search(q, { k: 100 })) expect(hit.id).not.toMatch(/^guide#/);
      }
      index.add(doc("guide#0", "Batteries store solar power.", "Solar guide v2", "guide.md"));
      expect(index.search("batteries").map((x) => x.id)).toEqual(["guide#0"]);
      expect(index.search("inverters")).toEqual([]);
    });

    it("search.remove-exact - after removals, scores equal a fresh index of what is left", () => {
      const index = build(CORPUS);
      const gone = new Set(["guide#1", "faq#0", "zh#0", "loose", "wind#0"]);
      for (const id of gone) index.remove(id);
      const fresh = build(CORPUS.filter((d) => !gone.has(d.id)));
      for (const q of QUERIES)
        expect(index.search(q, { k: 100 })).toEqual(fresh.search(q, { k: 100 }));
    });

    it("search.compaction - adds after many removals match a fresh index", () => {
      const index = build(CORPUS);
      const gone = CORPUS.slice(0, 7).map((d) => d.id);
      for (const id of gone) index.remove(id);
      const added = [
        doc("n1", "Solar panels and wind turbines", "Renewables", "new.md"),
        doc("n2", "Refunds for solar panels", "Refunds", "new.md"),
        doc("n3", "太阳能 and 风能", "能源"),
      ];
      for (const d of added) index.add(d);
      const fresh = build([...CORPUS.slice(7), ...added]);
      expect(index.size).toBe(fresh.size);
      for (const q of [...QUERIES, "wind turbines", "风能"]) {
        expect(index.search(q, { k: 100 })).toEqual(fresh.search(q, { k: 100 }));
      }
    });

    it("search.add-replaces - adding an existing id replaces it", () => {
      const index = build(CORPUS);
      index.add(doc("faq#0", "Returns are accepted for 30 days.", "Returns", "faq.md"));
      expect(index.size).toBe(CORPUS.length);
      expect(index.search("refunds").map((x) => x.id)).not.toContain("faq#0");
      expect(index.search("returns")[0]?.id).toBe("faq#0");
    });

    it("search.validation - bad documents, options and k are rejected", () => {
      const index = new Bm25Index();
      const bad = thrown(() => index.add({ id: "", fields: { text: "x" } }));
      expect(bad instanceof ValidationError).toBe(true);
      const badField = thrown(() =>
        index.add({ id: "a", fields: { text: 5 as unknown as string } }),
      );
      expect(badField instanceof ValidationError).toBe(true);
      expect(thrown(() => new Bm25Index({ b: 2 })) instanceof ValidationError).toBe(true);
      expect(thrown(() => index.search("x", { k: -1 })) instanceof ValidationError).toBe(true);
      expect(index.size).toBe(0);
    });
  });

  describe(`search BM25 serialisation (${runtime})`, () => {
    it("search.json.roundtrip - fromJSON(toJSON()) gives identical results", () => {
      const index = build(CORPUS, { fieldWeights: { heading: 3 }, k1: 1.1, groupWeight: 0.3 });
      index.remove("faq#1");
      const loaded = Bm25Index.fromJSON(index.toJSON());
      expect(loaded.size).toBe(index.size);
      expect(loaded.options).toEqual(index.options);
      for (const q of QUERIES) {
        expect(loaded.search(q, { k: 100 })).toEqual(index.search(q, { k: 100 }));
        expect(loaded.search(q, { k: 3, collapseGroups: true })).toEqual(
          index.search(q, { k: 3, collapseGroups: true }),
        );
      }
    });

    it("search.json.stringify - the stored form survives JSON.stringify and JSON.parse", () => {
      const index = build(CORPUS);
      const text = JSON.stringify(index);
      expect(typeof text).toBe("string");
      const loaded = Bm25Index.fromJSON(JSON.parse(text));
      for (const q of QUERIES)
        expect(loaded.search(q, { k: 100 })).toEqual(index.search(q, { k: 100 }));
      expect(JSON.stringify(loaded)).toBe(text);
    });

    it("search.json.incremental - a loaded index keeps accepting adds and removals", () => {
      const loaded = Bm25Index.fromJSON(JSON.parse(JSON.stringify(build(CORPUS))));
      loaded.removeGroup("faq.md");
      loaded.add(doc("extra", "Geothermal heat pumps", "Heat"));
      const fresh = build([
        ...CORPUS.filter((d) => d.group !== "faq.md"),
        doc("extra", "Geothermal heat pumps", "Heat"),
      ]);
      for (const q of [...QUERIES, "geothermal heat"]) {
        expect(loaded.search(q, { k: 100 })).toEqual(fresh.search(q, { k: 100 }));
      }
    });

    it("search.columns.roundtrip - fromColumns(toColumns()) searches, adds and removes as the original", () => {
      const options = { fieldWeights: { heading: 3 }, k1: 1.1, groupWeight: 0.3 };
      const index = build(CORPUS, options);
      index.remove("faq#1");
      const loaded = Bm25Index.fromColumns(index.toColumns());
      expect([loaded.size, loaded.options]).toEqual([index.size, index.options]);
      for (const q of QUERIES) {
        expect(loaded.search(q, { k: 100 })).toEqual(index.search(q, { k: 100 }));
        expect(loaded.search(q, { k: 3, collapseGroups: true })).toEqual(
          index.search(q, { k: 3, collapseGroups: true }),
        );
      }
      loaded.removeGroup("faq.md");
      loaded.add(doc("extra", "Geothermal heat pumps", "Heat"));
      const fresh = build(
        [
          ...CORPUS.filter((d) => d.group !== "faq.md" && d.id !== "faq#1"),
          doc("extra", "Geothermal heat pumps", "Heat"),
        ],
        options,
      );
      for (const q of [...QUERIES, "geothermal heat"])
        expect(loaded.search(q, { k: 100 })).toEqual(fresh.search(q, { k: 100 }));
      const columns = index.toColumns();
      const bad = { ...columns, counts: columns.counts.slice(1) };
      expect(thrown(() => Bm25Index.fromColumns(bad)) instanceof ValidationError).toBe(true);
    });

    it("search.json.invalid - malformed data is rejected with ValidationError", () => {
      expect(thrown(() => Bm25Index.fromJSON(null)) instanceof ValidationError).toBe(true);
      expect(thrown(() => Bm25Index.fromJSON({ format: "other" })) instanceof ValidationError).toBe(
        true,
      );
      const data = build(CORPUS).toJSON();
      const broken = { ...data, postings: data.postings.slice(0, 8) };
      expect(thrown(() => Bm25Index.fromJSON(broken)) instanceof ValidationError).toBe(true);
    });
  });

  describe(`search BM25 posting pool (${runtime})`, () => {
    const entriesOf = (p: PostingPool, t: number): number[] => {
      const out: number[] = [];
      p.forEach(t, (u, packed) => out.push(u, packed));
      return out;
    };

    it("postings.pages - indexing grows the pool by pages, never by copying, and keeps every list whole", () => {
      const p = new PostingPool();
      p.reserve(3);
      // 3 × 700,000 entries: 4.2 M words, more than a growth page holds.
      for (let u = 0; u < 700_000; u++) for (let t = 0; t < 3; t++) p.push(t, u, (t + 1) << 5);
      expect(p.pages.length).toBeGreaterThan(1);
      const first = p.pages[0];
      p.push(0, 700_000, 1 << 5);
      expect(p.pages[0]).toBe(first); // the first page was not replaced by a bigger copy
      for (let t = 0; t < 3; t++) {
        const list = entriesOf(p, t);
        expect(p.count[t]).toBe(t === 0 ? 700_001 : 700_000);
        expect(list.length).toBe(2 * (p.count[t] as number));
        expect(list.filter((_, i) => i % 2 === 0).every((u, i) => u === i)).toBe(true);
      }
    });

    it("bm25.grow-ahead - near-full arrays are grown one per call, ahead of need; then it says there is none", () => {
      const index = new Bm25Index();
      for (let i = 0; i < 50_000; i++) index.add(doc(`u${i}`, `word${i} common text`, "H"));
      let grown = 0;
      while (index.growAhead()) grown++;
      // alive, unit groups, unit entries and two field lengths: 65,536 long, 50,000 used.
      expect(grown).toBeGreaterThanOrEqual(5);
      expect(index.growAhead()).toBe(false);
      for (let i = 50_000; i < 60_000; i++) index.add(doc(`u${i}`, `word${i} common text`, "H"));
      expect(index.search("word59999", { k: 1 }).map((h) => h.id)).toEqual(["u59999"]);
      expect(index.search("common", { k: 100 }).length).toBe(100);
    });

    it("postings.load-long-list - a loaded list longer than a page is chained over pages", () => {
      const n = (1 << PAGE_BITS) / 2 + 1000; // pairs: more words than one page holds
      const entries = new Uint32Array(2 * (n + 3));
      for (let i = 0; i < n + 3; i++) {
        entries[2 * i] = i < 3 ? i : i - 3;
        entries[2 * i + 1] = (1 << 5) | (i < 3 ? 1 : 0);
      }
      const p = PostingPool.fromLists(new Uint32Array([3, n]), entries);
      expect(p.pages.length).toBeGreaterThan(1);
      expect(entriesOf(p, 0)).toEqual([0, 33, 1, 33, 2, 33]);
      const long = entriesOf(p, 1);
      expect(long.length).toBe(2 * n);
      let ok = true;
      for (let i = 0; i < n; i++) if (long[2 * i] !== i || long[2 * i + 1] !== 32) ok = false;
      expect(ok).toBe(true);
      // More entries go after the loaded ones, in order.
      p.push(1, n, 1 << 5);
      expect(entriesOf(p, 1).slice(-2)).toEqual([n, 32]);
    });
  });
}
