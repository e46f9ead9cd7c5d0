// The search playground: a query against `GET /kb/{domain}/search`, each hit with its source,
// heading path, score and text, and how long the answer took.
import { explain, json } from "./api.ts";
import { field, fill, h, statusLine } from "./dom.ts";

interface Hit {
  text: string;
  source: string;
  heading_path?: string;
  similarity: number;
}

/**
 * The search section of a knowledge base (`base` = `kb/{domain}`).
 * @example
 * searchSection("kb/support");
 */
export function searchSection(base: string): HTMLElement {
  const q = h("input", { type: "search", name: "q", required: true, autocomplete: "off" });
  const k = h("input", { type: "number", name: "k", min: 1, max: 50, value: 5 });
  const status = statusLine();
  const results = h("ol", { class: "hits" });
  const form = h(
    "form",
    {
      class: "row",
      role: "search",
      onsubmit: async (event) => {
        event.preventDefault();
        status.say("Searching…", "busy");
        const started = performance.now();
        try {
          const params = new URLSearchParams({ q: q.value, k: k.value || "5" });
          const answer = await json<{ results: Hit[] }>(`${base}/search?${params}`);
          const ms = Math.round(performance.now() - started);
          fill(
            results,
            answer.results.map((hit) =>
              h(
                "li",
                null,
                h(
                  "p",
                  { class: "hit-head" },
                  h("b", null, hit.source),
                  hit.heading_path && h("span", { class: "muted" }, ` · ${hit.heading_path}`),
                  h("span", { class: "score" }, hit.similarity.toFixed(3)),
                ),
                h("p", { class: "hit-text" }, hit.text),
              ),
            ),
          );
          status.say(`${answer.results.length} result(s) in ${ms} ms.`, "ok");
        } catch (error) {
          fill(results);
          status.say(explain(error), "error");
        }
      },
    },
    field("Query", q),
    field("Results", k),
    h("button", { type: "submit" }, "Search"),
  );
  return h(
    "section",
    { "aria-labelledby": "search-title" },
    h("h2", { id: "search-title" }, "Search playground"),
    form,
    status,
    results,
  );
}
