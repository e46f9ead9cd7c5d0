/**
 * The S3 requests on several objects at once: batched deletes (`DeleteObjects`, 1,000 keys a
 * request) and the source header of a copy.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import { encodeKey, type S3Client } from "./s3-client.ts";
import { md5Base64 } from "./s3-md5.ts";
import { deleteBody, parseDeleteErrors, xmlSafe } from "./s3-xml.ts";

/** S3 deletes at most this many keys per request. */
const MAX_DELETE = 1000;

/**
 * The `x-amz-copy-source` of a key: URL-encoded, except the characters a URL path may carry as
 * they are (`:@!$&'()*,;=`), which servers that decode the header as a URI leave alone.
 */
export function copySource(bucket: string, key: string): string {
  return `/${encodeKey(bucket)}/${encodeKey(key)}`.replace(
    /%(3A|40|21|24|26|27|28|29|2A|2C|3B|3D)/g,
    (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * Deletes keys (missing ones are no error): one `DELETE` for a single key, else `DeleteObjects`
 * in batches of 1,000 (with the `Content-MD5` S3 requires). A key XML cannot carry is deleted on
 * its own. Keys S3 reports as not deleted make an `AdapterError` naming them.
 */
export async function deleteKeys(client: S3Client, keys: readonly string[]): Promise<void> {
  const alone = keys.length === 1 ? keys : keys.filter((k) => !xmlSafe(k));
  for (const key of alone)
    await client.send(`delete '${key}'`, { method: "DELETE", key, accept: [404] });
  if (keys.length === 1) return;
  const batched = keys.filter(xmlSafe);
  for (let i = 0; i < batched.length; i += MAX_DELETE) {
    const batch = batched.slice(i, i + MAX_DELETE);
    const body = new TextEncoder().encode(deleteBody(batch));
    const what = `delete ${batch.length} keys ('${batch[0]}'…)`;
    const res = await client.send(what, {
      method: "POST",
      query: { delete: "" },
      headers: { "content-type": "application/xml", "content-md5": md5Base64(body) },
      body,
    });
    const failed = parseDeleteErrors(await res.text()).filter((e) => e.code !== "NoSuchKey");
    if (failed.length > 0)
      throw new AdapterError(
        "s3",
        `${what} failed for ${failed.length}: ${failed
          .slice(0, 3)
          .map((e) => `'${e.key}' (${e.code}: ${e.message})`)
          .join(", ")}`,
      );
  }
}
