// The botknobs web console: a page of the API's own app (`GET /`), written with DOM calls only
// (see dom.ts), routed by the URL's hash so every view has an address, the back button works and
// links are plain links. Views: #/bots, #/bots/{id}, #/kb, #/kb/{domain}, #/events.
import { askToken, forgetToken, json, TOKEN_EVENT, token } from "./api.ts";
import { botView } from "./bot.ts";
import { botsView } from "./bots.ts";
import { h } from "./dom.ts";
import { eventsView, Feed } from "./events.ts";
import { kbView } from "./kb.ts";
import { knowledgeView } from "./knowledge.ts";
import type { Schema } from "./schema.ts";
import type { View, ViewContext } from "./types.ts";

const feed = new Feed();
let schemas: Promise<Record<string, Schema> | null> | undefined;
const ctx: ViewContext = {
  onEvent: (listener) => feed.onEvent(listener),
  schemas: () =>
    (schemas ??= json<{ components: { schemas: Record<string, Schema> } }>("openapi.json").then(
      (doc) => doc.components.schemas,
      () => {
        schemas = undefined; // asked again by the next view (a token may come meanwhile)
        return null;
      },
    )),
};

/** The view of a hash, and the section it belongs to. */
function resolve(hash: string): { view: View; section: string } {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  } catch {
    parts = [];
  }
  const [section, ...rest] = parts;
  const name = rest.join("/");
  if (section === "bots" && name) return { view: botView(name), section: "bots" };
  if (section === "kb" && name) return { view: kbView(name), section: "kb" };
  if (section === "kb") return { view: knowledgeView, section: "kb" };
  if (section === "events") return { view: eventsView(feed), section: "events" };
  return { view: botsView, section: "bots" };
}

const main = h("main", { id: "main", tabindex: "-1" });
const links = [
  ["bots", "#/bots", "Bots"],
  ["kb", "#/kb", "Knowledge"],
  ["events", "#/events", "Events"],
].map(([section, href, text]) => h("a", { href, "data-section": section }, text));
const live = h("span", { class: "live", role: "status", title: "The event stream" });
const forget = h("button", { type: "button", class: "quiet" }, "Forget token");
const showToken = (): void => {
  forget.hidden = token() === null;
};
forget.addEventListener("click", () => {
  forgetToken();
  showToken();
});
addEventListener(TOKEN_EVENT, showToken);
feed.onState(() => {
  live.textContent = `events: ${feed.state}`;
  live.dataset.state = feed.state === "live" ? "live" : "off";
});

document.body.append(
  h(
    "a",
    {
      class: "skip",
      href: "#main",
      onclick: (event) => {
        event.preventDefault();
        main.focus();
      },
    },
    "Skip to content",
  ),
  h(
    "header",
    null,
    h("span", { class: "brand" }, "botknobs"),
    h("nav", { "aria-label": "Sections" }, links),
    live,
    h(
      "button",
      {
        type: "button",
        class: "quiet",
        onclick: () => void askToken("Enter a token for this server.").then(route, () => {}),
      },
      "Token…",
    ),
    forget,
  ),
  main,
);
showToken();

let leave: (() => void) | undefined;
let current = 0;
async function route(): Promise<void> {
  leave?.();
  leave = undefined;
  const mine = ++current;
  const { view, section } = resolve(location.hash);
  for (const a of links)
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  // Each view renders into its own box: one still loading when the reader moves on renders
  // into a box that is no longer shown.
  const box = h("div");
  main.replaceChildren(box);
  const cleanup = await view(box, ctx);
  if (mine !== current) cleanup?.();
  else leave = cleanup;
}

addEventListener("hashchange", () => {
  void route().then(() => main.querySelector<HTMLElement>("h1")?.focus());
});
void route();
void feed.run();
