/**
 * {@link conditionalWritesOf}: whether an S3 server honours `If-None-Match: *` and `If-Match`
 * on PUT, found out with a throw-away object. A server that ignores them (s3rver, older MinIO,
 * AWS before 2024) overwrites instead, so the store must say so rather than trust the headers.
 * @module
 */
import { AdapterError } from "../../core/errors.ts";
import type { S3Client } from "./s3-client.ts";

/** What was found, per endpoint, bucket and key id (once per process). */
const found = new Map<string, Promise<boolean>>();

/**
 * True when the server refuses a second create-only PUT and a PUT naming a wrong etag (412
 * both), false when it writes either. The object (`.botknobs-probe/<uuid>`) is deleted after.
 * @example
 * const conditional = await conditionalWritesOf(client, `${endpoint} ${bucket} ${keyId}`);
 */
export function conditionalWritesOf(client: S3Client, cacheKey: string): Promise<boolean> {
  let answer = found.get(cacheKey);
  if (answer === undefined) {
    answer = probe(client);
    found.set(cacheKey, answer);
    // A probe that failed (a network error, no write access) is tried again next time.
    answer.catch(() => found.delete(cacheKey));
  }
  return answer;
}

async function probe(client: S3Client): Promise<boolean> {
  const key = `.botknobs-probe/${crypto.randomUUID()}`;
  const what = `probe of conditional writes ('${key}'; or set conditionalWrites)`;
  const put = async (headers: Record<string, string>, body: string): Promise<number> => {
    const res = await client.send(what, {
      method: "PUT",
      key,
      headers,
      body: new TextEncoder().encode(body),
      // 400/501: a server that refuses the header has no conditional writes either.
      accept: [400, 409, 412, 501],
      once: true,
    });
    await res.body?.cancel();
    return res.status;
  };
  try {
    if ((await put({ "if-none-match": "*" }, "1")) !== 200) return false;
    if ((await put({ "if-none-match": "*" }, "2")) !== 412) return false;
    return (await put({ "if-match": '"botknobs-probe-no-such-etag"' }, "3")) === 412;
  } catch (error) {
    if (error instanceof AdapterError) throw error;
    throw new AdapterError("s3", `${what} failed`, { cause: error });
  } finally {
    await client
      .send(`delete '${key}'`, { method: "DELETE", key, accept: [404] })
      .then((res) => res.body?.cancel())
      .catch(() => {});
  }
}
