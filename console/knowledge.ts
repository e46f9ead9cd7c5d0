// `#/kb`: the knowledge bases with their files, size and ingestion status, kept current by the
// event feed; and a form to create one.
import { api, explain, json, seg } from "./api.ts";
import { idForm } from "./bots.ts";
import { bytes, fill, h, statusLine, table, when } from "./dom.ts";
import { reloadOn } from "./events.ts";
import type { View } from "./types.ts";

/** `GET /kb/{domain}`. */
export interface KnowledgeBase {
  domain_id: string;
  file_count: number;
  total_size_bytes: number;
  last_updated: string | null;
  version: string;
  ingestion_status: string;
  ingestion_error: string | null;
  generation?: string;
}

/**
 * An ingestion status as a badge.
 * @example
 * kbBadge("ready");
 */
export function kbBadge(status: string): HTMLElement {
  const kind = status === "ready" ? "ok" : status === "error" ? "bad" : "warn";
  return h("span", { class: `badge ${kind}` }, status);
}

/** `#/kb`. */
export const knowledgeView: View = async (main, ctx) => {
  const status = statusLine();
  const list = h("div");
  const create = idForm("domain_id", "New knowledge base", "Create", async (id) => {
    try {
      await api("kb", { method: "POST", json: { domain_id: id } });
      location.hash = `#/kb/${seg(id)}`;
    } catch (error) {
      status.say(explain(error), "error");
    }
  });
  fill(
    main,
    h("h1", { tabindex: "-1" }, "Knowledge bases"),
    status,
    list,
    h("h2", null, "New knowledge base"),
    create,
  );
  const load = async (): Promise<void> => {
    try {
      const { items } = await json<{ items: KnowledgeBase[] }>("kb");
      const rows = items.map((kb) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, h("a", { href: `#/kb/${seg(kb.domain_id)}` }, kb.domain_id)),
          h("td", null, kbBadge(kb.ingestion_status)),
          h("td", null, String(kb.file_count)),
          h("td", null, bytes(kb.total_size_bytes)),
          h("td", null, when(kb.last_updated)),
        ),
      );
      fill(
        list,
        table(
          ["Knowledge base", "Index", "Files", "Size", "Updated"],
          rows,
          "No knowledge bases yet.",
        ),
      );
      status.say(`${items.length} knowledge base(s).`);
    } catch (error) {
      status.say(explain(error), "error");
    }
  };
  await load();
  return reloadOn(ctx, (event) => event.topic.startsWith("knowledge"), load);
};
