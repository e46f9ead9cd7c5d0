/**
 * The web console's responses: the page (`GET /`), its script and its style sheet, with the
 * console's Content-Security-Policy. Loaded by `console-routes.ts` on the first console request,
 * so an app that only serves the API never parses the console.
 *
 * The page holds no data: the script reads everything through the API with the reader's token,
 * and puts every value into the page as text (DOM calls, never markup). The CSP backs that up: scripts and
 * styles from this origin only (nothing inline, no `eval`), requests to this origin only, and
 * Trusted Types required — so an `innerHTML` of a string throws instead of running markup.
 * @module
 */
import type { Context } from "hono";
import { NotFoundError } from "../core/errors.ts";
import { CONSOLE_SCRIPT, CONSOLE_STYLE, type ConsoleAsset } from "./console-assets.ts";
import { header } from "./context.ts";

/** The console's Content-Security-Policy. */
export const CONSOLE_CSP: string = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

// Relative URLs: the page works wherever the app is mounted (`app.route("/api/", …)`, with the
// trailing slash), and the script reaches the API relative to the page as well.
const PAGE: ConsoleAsset = {
  name: "",
  type: "text/html; charset=utf-8",
  body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>botknobs console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="console/${CONSOLE_STYLE.name}">
<script type="module" src="console/${CONSOLE_SCRIPT.name}"></script>
</head>
<body>
<noscript>The botknobs console needs JavaScript. The API is at <a href="openapi.json">openapi.json</a>.</noscript>
</body>
</html>
`,
};

const ASSETS: ReadonlyMap<string, ConsoleAsset> = new Map(
  [CONSOLE_SCRIPT, CONSOLE_STYLE].map((a) => [a.name, a]),
);

const encoder = new TextEncoder();
const gzipped = new Map<ConsoleAsset, Promise<ArrayBuffer>>();

/** The asset gzipped, once per process (Web `CompressionStream`: every runtime has it). */
function gzip(asset: ConsoleAsset): Promise<ArrayBuffer> {
  let bytes = gzipped.get(asset);
  if (!bytes) {
    const stream = new Blob([asset.body]).stream().pipeThrough(new CompressionStream("gzip"));
    bytes = new Response(stream).arrayBuffer();
    gzipped.set(asset, bytes);
  }
  return bytes;
}

/** True when `Accept-Encoding` takes gzip (and does not refuse it with `q=0`). */
function acceptsGzip(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return (
      (coding === "gzip" || coding === "x-gzip") && (q === undefined || Number(q.slice(2)) > 0)
    );
  });
}

/**
 * The response for a console file: `""` is the page, else an asset's hashed name (404 when there
 * is none). Gzipped when the client takes it — `encodeBody: "manual"` tells workerd the body is
 * already encoded (other runtimes ignore the option), so it is sent as is rather than twice.
 * @example
 * app.get("/", (c) => consoleResponse(c, ""));
 */
export async function consoleResponse(c: Context, name: string): Promise<Response> {
  const asset = name === "" ? PAGE : ASSETS.get(name);
  if (!asset) throw new NotFoundError(`No console file '${name}'`);
  const headers: Record<string, string> = {
    "content-type": asset.type,
    "content-security-policy": CONSOLE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    vary: "Accept-Encoding",
    // The page is asked again each time (it names the current assets); an asset's name changes
    // with its content, so it is kept for good.
    "cache-control": asset === PAGE ? "no-cache" : "public, max-age=31536000, immutable",
  };
  if (!acceptsGzip(header(c, "accept-encoding")))
    return new Response(encoder.encode(asset.body), { headers });
  headers["content-encoding"] = "gzip";
  return new Response(await gzip(asset), { headers, encodeBody: "manual" } as ResponseInit);
}
