/**
 * Knowledge files over HTTP: `PUT` streams the raw request body straight into the backend
 * (413 the moment it passes `maxFileBytes`), `GET` streams it back with the SHA-256 as ETag and
 * single-range support (206/416), `DELETE` removes it, and the folder lists with `?prefix=`.
 * @module
 */
import type { Context, Hono } from "hono";
import { NotFoundError } from "../core/errors.ts";
import type { KnowledgeFile } from "../core/knowledge/store/models.ts";
import { validateFilePath } from "../core/knowledge/store/paths.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import { validateBotId } from "../core/validate.ts";
import { limitedBody } from "./body.ts";
import { header, query, type ServerContext } from "./context.ts";
import { ApiError, ApiErrorCode, badInput } from "./errors.ts";
import { noneMatch, quoteEtag } from "./preconditions.ts";
import { parseRange } from "./range.ts";
import { listFilesQuery } from "./schemas.ts";

/**
 * The domain id of `/kb/{domain}/…` (400 when it is not a valid id).
 * @example
 * r.get("/:domain", (c) => c.json({ domain: domainId(c) }));
 */
export function domainId(c: Context): string {
  return validateBotId(c.req.param("domain"), "domainId");
}

/**
 * The file path after `/kb/{domain}/files/`, percent-decoded as a whole and then checked: an
 * encoded `%2e%2e%2f` becomes `../` and is refused like a raw one (400, nothing written).
 */
function filePath(c: Context, domain: string): string {
  // The raw path, so that an encoded `%2F` or `%2e%2e` is seen as the client sent it. The app
  // may be mounted under a prefix: find `…/kb/<domain>/files/` by segments.
  const segments = new URL(c.req.url).pathname.split("/");
  let i = 1;
  while (
    i < segments.length - 1 &&
    !(segments[i - 1] === "kb" && segments[i + 1] === "files" && safeDecode(segments[i]) === domain)
  )
    i++;
  const raw = segments.slice(i + 2).join("/");
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw badInput("path", "malformed percent-encoding");
  }
  return validateFilePath(decoded);
}

function safeDecode(segment: string | undefined): string | null {
  try {
    return decodeURIComponent(segment ?? "");
  } catch {
    return null;
  }
}

async function requireKb(knowledge: KnowledgeResourceBackend, domain: string): Promise<void> {
  if (!(await knowledge.getInfo(domain)))
    throw new NotFoundError(`Knowledge base '${domain}' does not exist`);
}

async function fileInfo(
  knowledge: KnowledgeResourceBackend,
  domain: string,
  path: string,
): Promise<KnowledgeFile | null> {
  const files = await knowledge.listFiles(domain, { prefix: path });
  return files.find((f) => f.path === path) ?? null;
}

/** The content type to store: the request's, unless it is the generic octet-stream. */
function requestContentType(c: Context): string | undefined {
  const type = header(c, "content-type");
  return type && !/^application\/octet-stream\s*(;|$)/i.test(type) ? type : undefined;
}

async function download(c: Context, knowledge: KnowledgeResourceBackend): Promise<Response> {
  const domain = domainId(c);
  const path = filePath(c, domain);
  const info = await fileInfo(knowledge, domain, path);
  if (!info) throw new NotFoundError(`File '${path}' not found in knowledge base '${domain}'`);
  const etag = quoteEtag(info.checksum);
  const headers: Record<string, string> = {
    ETag: etag,
    "Accept-Ranges": "bytes",
    "Content-Type": info.contentType,
    "Last-Modified": info.uploadedAt.toUTCString(),
  };
  if (noneMatch(header(c, "if-none-match"), etag)) return c.body(null, 304, headers);
  const ifRange = header(c, "if-range");
  const range =
    ifRange === undefined || ifRange === etag
      ? parseRange(header(c, "range"), info.sizeBytes)
      : ({ kind: "full" } as const);
  if (range.kind === "unsatisfiable") {
    throw new ApiError(
      416,
      ApiErrorCode.RANGE_NOT_SATISFIABLE,
      `Range not satisfiable for ${info.sizeBytes} bytes`,
      { "Content-Range": `bytes */${info.sizeBytes}` },
    );
  }
  const partial = range.kind === "partial";
  const length = partial ? range.end - range.start + 1 : info.sizeBytes;
  headers["Content-Length"] = String(length);
  if (partial) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${info.sizeBytes}`;
  const status = partial ? 206 : 200;
  // HEAD: the headers only; the content is not even opened.
  if (c.req.method === "HEAD") return c.body(null, status, headers);
  // A range is read from storage as such (R2, S3 and files seek; nothing before it is read).
  const stream = await knowledge.streamFile(
    domain,
    path,
    partial ? { range: { offset: range.start, length } } : {},
  );
  if (!stream) throw new NotFoundError(`File '${path}' not found in knowledge base '${domain}'`);
  return c.body(stream, status, headers);
}

/**
 * Adds the file routes to the knowledge router (mounted at `/kb`).
 * @example
 * fileRoutes(router, ctx);
 */
export function fileRoutes(r: Hono, ctx: ServerContext): void {
  const knowledge = ctx.knowledge as KnowledgeResourceBackend;

  r.get("/:domain/files", async (c) => {
    const domain = domainId(c);
    const { prefix } = query(c, listFilesQuery);
    await requireKb(knowledge, domain);
    const files = await knowledge.listFiles(domain, prefix === undefined ? {} : { prefix });
    return c.json({ items: files.map((f) => f.toDict()) });
  });

  r.get("/:domain/files/*", (c) => download(c, knowledge));

  r.put("/:domain/files/*", async (c) => {
    const domain = domainId(c);
    const path = filePath(c, domain);
    // putFile reads the head before a byte of the body: a missing knowledge base costs no
    // upload, and it says whether it created the file (201) or replaced one (200).
    const contentType = requestContentType(c);
    // A known length lets R2 and S3 stream the upload (a body of another length is refused).
    const length = header(c, "content-length");
    const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    const file = await knowledge.putFile(domain, path, limitedBody(c, ctx.maxFileBytes), {
      ...(contentType === undefined ? {} : { contentType }),
      ...(size === undefined ? {} : { size }),
    });
    return c.json(file.toDict(), file.created === false ? 200 : 201, {
      ETag: quoteEtag(file.checksum),
    });
  });

  r.delete("/:domain/files/*", async (c) => {
    const domain = domainId(c);
    const path = filePath(c, domain);
    if (!(await knowledge.deleteFile(domain, path)))
      throw new NotFoundError(`File '${path}' not found in knowledge base '${domain}'`);
    return c.body(null, 204);
  });
}
