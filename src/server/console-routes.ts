/**
 * The web console's routes: the page at `GET /` and its two files at `GET /console/{name}`.
 * `createApp` registers them ahead of the bearer check: they hold no data (the page asks for a
 * token when the API answers 401, and sends it with every request it makes), and a page that
 * needed a token could not ask for one. The console itself loads on first use (`console-page.ts`).
 * @module
 */
import type { Hono } from "hono";

type Page = typeof import("./console-page.ts");
let page: Promise<Page> | undefined;
const load = (): Promise<Page> => {
  page ??= import("./console-page.ts");
  return page;
};

/**
 * Serves the console on `app`: register it before any auth middleware.
 * @example
 * consoleRoutes(app);
 * app.use("*", bearerAuth(auth));
 */
export function consoleRoutes(app: Hono): void {
  app.get("/", async (c) => (await load()).consoleResponse(c, ""));
  app.get("/console/:name", async (c) => (await load()).consoleResponse(c, c.req.param("name")));
}
