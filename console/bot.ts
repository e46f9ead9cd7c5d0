// `#/bots/{id}`: one bot — its status and labels, the config editor, labels and rollouts, and
// its versions with diff and rollback. A change made elsewhere (heard on the event feed) is
// announced with a button to reload, rather than replacing what the reader is editing.
import { ApiError, explain, json, seg } from "./api.ts";
import { badge, labelChips } from "./bots.ts";
import { fill, h, keepFocus, statusLine, when } from "./dom.ts";
import { editorSection } from "./editor.ts";
import { labelsSection } from "./labels.ts";
import type { BotLabels, Registration, SectionHooks, View } from "./types.ts";
import { versionsSection } from "./versions.ts";

const PAGE = 50;

/** `null` for a 404 (the bot does not exist yet), the error otherwise. */
async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * The view of one bot.
 * @example
 * await botView("support-bot")(main, ctx);
 */
export function botView(id: string): View {
  return async (main, ctx) => {
    const schemas = await ctx.schemas();
    const status = statusLine();
    const notice = h("div", { class: "notice", role: "status" });
    let shown: Registration | null = null;
    let writing = false;
    let editor: ReturnType<typeof editorSection> | undefined;

    // What a section said of its write, shown again by the section that replaces it.
    let flash: { where: string; text: string } | undefined;
    const hooks = (where: string): SectionHooks => ({
      said: flash?.where === where ? flash.text : undefined,
      changed: async (text) => {
        writing = true;
        flash = { where, text };
        try {
          await load();
        } finally {
          writing = false;
          flash = undefined;
        }
      },
    });
    const load = async (): Promise<void> => {
      fill(notice);
      try {
        const base = `bots/${seg(id)}`;
        const [bot, labels, page] = await Promise.all([
          orNull(json<Registration>(`${base}?peek=1`)),
          orNull(json<BotLabels>(`${base}/labels`)),
          orNull(
            json<{ items: Registration[]; cursor?: string }>(`${base}/versions?limit=${PAGE}`),
          ),
        ]);
        shown = bot;
        const versions = page?.items ?? [];
        let cursor = page?.cursor;
        const older = async (): Promise<void> => {
          const next = await json<{ items: Registration[]; cursor?: string }>(
            `${base}/versions?limit=${PAGE}&cursor=${encodeURIComponent(cursor ?? "")}`,
          );
          versions.push(...next.items);
          cursor = next.cursor;
          render(bot, labels, versions, cursor ? older : undefined);
        };
        render(bot, labels, versions, cursor ? older : undefined);
        status.say(bot ? "" : `No bot '${id}' yet: write its config to create it.`);
      } catch (error) {
        status.say(explain(error), "error");
      }
    };
    const render = (
      bot: Registration | null,
      labels: BotLabels | null,
      versions: Registration[],
      older: (() => Promise<void>) | undefined,
    ): void => {
      editor = editorSection(id, bot, schemas, hooks("editor"));
      keepFocus(main, () =>
        fill(
          main,
          h("p", { class: "crumbs" }, h("a", { href: "#/bots" }, "Bots"), " / "),
          h("h1", { tabindex: "-1" }, id),
          bot &&
            h(
              "div",
              { class: "summary" },
              badge(bot.status),
              h("span", null, `version ${bot.version}`),
              h("span", { title: bot.etag }, `etag ${bot.etag.slice(0, 12)}…`),
              h("span", null, "updated ", when(bot.updated_at)),
              labelChips(bot.ext?.labels ?? {}, bot.ext?.splits ?? {}, bot.version),
            ),
          notice,
          status,
          editor,
          bot && labels && labelsSection(id, labels, versions, hooks("labels")),
          bot && versionsSection(id, bot, versions, hooks("versions"), older),
        ),
      );
    };

    await load();
    const off = ctx.onEvent((event) => {
      if (writing || event.payload.bot_id !== id) return;
      const version = event.payload.version;
      if (
        event.type !== "deleted" &&
        typeof version === "number" &&
        version <= (shown?.version ?? 0)
      )
        return;
      const who = typeof event.payload.actor === "string" ? ` by ${event.payload.actor}` : "";
      fill(
        notice,
        h(
          "p",
          null,
          event.type === "deleted"
            ? `This bot was deleted${who}.`
            : `Changed elsewhere${who}: now version ${version}.`,
          editor?.dirty() ? " Reloading discards your unsaved edit." : "",
          " ",
          h("button", { type: "button", onclick: () => void load() }, "Reload"),
        ),
      );
    });
    return off;
  };
}
