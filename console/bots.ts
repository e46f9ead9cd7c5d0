// The bots list: each bot with its status, version and labels (splits with their shares), kept
// current by the event feed; and a form to open a new bot in the editor.
import { explain, json, seg } from "./api.ts";
import { field, fill, h, statusLine, table, when } from "./dom.ts";
import { reloadOn } from "./events.ts";
import type { Registration, Share, View } from "./types.ts";

/**
 * The id rule of bots, labels and knowledge bases (the API's `ID_PATTERN`) as an HTML `pattern`:
 * anchored by the browser and compiled with the `v` flag, where a `-` in a class is escaped.
 */
export const BOT_ID: string = "(?!\\.{1,2}$)[A-Za-z0-9._:@\\-]{1,256}";

/**
 * Labels as chips: `canary → v1 90% · v2 10%`, after `latest → v4` when `latest` is given.
 * @example
 * labelChips({ production: 3 }, {}, 4);
 */
export function labelChips(
  labels: Record<string, number>,
  splits: Record<string, Share[]>,
  latest?: number,
): HTMLElement {
  const chip = (name: string, target: string): HTMLElement =>
    h("li", { class: "chip" }, h("b", null, name), ` → ${target}`);
  return h(
    "ul",
    { class: "chips", "aria-label": "Labels" },
    latest !== undefined && chip("latest", `v${latest}`),
    Object.entries(labels).map(([name, version]) =>
      chip(name, splitText(splits[name]) ?? `v${version}`),
    ),
  );
}

/**
 * A split as text, `v3 90% · v4 10%` (`undefined` for none).
 * @example
 * splitText([{ version: 3, percent: 90 }, { version: 4, percent: 10 }]);
 */
export function splitText(split: Share[] | undefined): string | undefined {
  return split?.map((s) => `v${s.version} ${s.percent}%`).join(" · ");
}

/**
 * A status as a badge.
 * @example
 * badge("active");
 */
export function badge(status: string): HTMLElement {
  return h("span", { class: `badge ${status === "active" ? "ok" : "warn"}` }, status);
}

/**
 * A one-field form taking an id (a bot's or a knowledge base's), checked by the browser.
 * @example
 * idForm("bot_id", "New bot id", "Open editor", (id) => open(id));
 */
export function idForm(
  name: string,
  label: string,
  button: string,
  submit: (id: string) => unknown,
): HTMLFormElement {
  const input = h("input", { name, required: true, pattern: BOT_ID, autocomplete: "off" });
  return h(
    "form",
    {
      class: "row",
      onsubmit: (event) => {
        event.preventDefault();
        void submit(input.value);
      },
    },
    field(label, input, "Letters, digits and . _ : @ -"),
    h("button", { type: "submit" }, button),
  );
}

/** `#/bots`: every bot (the first 1,000, sorted by id). */
export const botsView: View = async (main, ctx) => {
  const status = statusLine();
  const list = h("div");
  const create = idForm("bot_id", "New bot id", "Open editor", (id) => {
    location.hash = `#/bots/${seg(id)}`;
  });
  fill(main, h("h1", { tabindex: "-1" }, "Bots"), status, list, h("h2", null, "New bot"), create);

  const load = async (): Promise<void> => {
    try {
      const page = await json<{ items: Registration[]; cursor?: string }>("bots?limit=1000");
      const rows = page.items.map((bot) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, h("a", { href: `#/bots/${seg(bot.bot_id)}` }, bot.bot_id)),
          h("td", null, badge(bot.status)),
          h("td", null, `v${bot.version}`),
          h("td", null, labelChips(bot.ext?.labels ?? {}, bot.ext?.splits ?? {}, bot.version)),
          h("td", null, when(bot.updated_at)),
        ),
      );
      fill(list, table(["Bot", "Status", "Version", "Labels", "Updated"], rows, "No bots yet."));
      status.say(
        page.cursor
          ? `The first ${page.items.length} bots (more on the server).`
          : `${page.items.length} bot(s).`,
      );
    } catch (error) {
      status.say(explain(error), "error");
    }
  };
  await load();
  return reloadOn(ctx, (event) => event.topic.startsWith("registry"), load);
};
