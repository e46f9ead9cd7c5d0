/**
 * One burst of concurrent `PUT /bots/{id}` against a running API, and what it left: the answers
 * by status, and whether each answered write is in the registry (and no unanswered one is). Used
 * by test/node/wrangler-burst.test.ts and bench/worker-burst.bench.ts.
 */

/** What {@link burst} saw. */
export interface BurstResult {
  /** Answers by HTTP status (a failed fetch counts as status 0). */
  statuses: Record<number, number>;
  /** PUTs answered 200. */
  ok: number;
  /** Of those, how many the registry holds afterwards (with the config the PUT sent). */
  applied: number;
  /** PUTs not answered 200 whose write the registry holds all the same. */
  strayApplied: number;
  /** The first bodies of answers other than 200 (at most 3). */
  failures: string[];
  /** Versions stored more than once for one write (one-bot bursts: history entries minus distinct writes). */
  doubled: number;
  /** Wall time of the burst itself. */
  ms: number;
}

/** Options of {@link burst}. */
export interface BurstOptions {
  /** How many PUTs at once. */
  size: number;
  /** Bot ids start with it (a fresh one per burst). */
  prefix: string;
  /** All PUTs to one bot (`<prefix>-hot`), or each to its own (`<prefix>-<n>`). */
  oneBot: boolean;
}

const put = async (base: string, id: string, n: number) => {
  try {
    const res = await fetch(`${base}/bots/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ config: { n } }),
    });
    return { status: res.status, text: await res.text() };
  } catch (error) {
    return { status: 0, text: `${String(error)} ${String((error as { cause?: unknown }).cause)}` };
  }
};

/** Every `n` in the stored history of `id` (all pages). */
async function historyOf(base: string, id: string): Promise<number[]> {
  const seen: number[] = [];
  let cursor: string | undefined;
  do {
    const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const res = await fetch(`${base}/bots/${id}/versions?limit=100${q}`);
    if (res.status === 404) return seen;
    if (res.status !== 200) throw new Error(`history of ${id}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: { config: { n: number } }[]; cursor?: string };
    for (const item of page.items) seen.push(item.config.n);
    cursor = page.cursor;
  } while (cursor);
  return seen;
}

/** The `n` each bot holds now (`undefined`: no such bot), reading 50 at a time. */
async function currentOf(base: string, ids: string[]): Promise<(number | undefined)[]> {
  const out: (number | undefined)[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const slice = ids.slice(i, i + 50);
    out.push(
      ...(await Promise.all(
        slice.map(async (id) => {
          const res = await fetch(`${base}/bots/${id}`);
          if (res.status === 404) return undefined;
          if (res.status !== 200) throw new Error(`GET ${id}: ${res.status} ${await res.text()}`);
          return ((await res.json()) as { config: { n: number } }).config.n;
        }),
      )),
    );
  }
  return out;
}

/**
 * Sends `size` PUTs at once, then reads back what was stored.
 * @example
 * const r = await burst("http://127.0.0.1:8787", { size: 500, prefix: "b1", oneBot: true });
 * r.statuses[503]; // how many answered 503
 */
export async function burst(base: string, options: BurstOptions): Promise<BurstResult> {
  const { size, prefix, oneBot } = options;
  const idOf = (n: number): string => (oneBot ? `${prefix}-hot` : `${prefix}-${n}`);
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: size }, (_, n) => put(base, idOf(n), n)));
  const ms = performance.now() - t0;
  const statuses: Record<number, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const failures = answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.text}`);
  const okSet = new Set(answers.flatMap((a, n) => (a.status === 200 ? [n] : [])));
  let stored: Set<number>;
  let doubled = 0;
  if (oneBot) {
    const history = await historyOf(base, idOf(0));
    stored = new Set(history);
    doubled = history.length - stored.size;
  } else {
    const now = await currentOf(
      base,
      answers.map((_, n) => idOf(n)),
    );
    stored = new Set(now.flatMap((v, n) => (v === n ? [n] : [])));
  }
  let applied = 0;
  let strayApplied = 0;
  for (let n = 0; n < size; n++) {
    if (okSet.has(n) && stored.has(n)) applied++;
    if (!okSet.has(n) && stored.has(n)) strayApplied++;
  }
  return {
    statuses,
    ok: okSet.size,
    applied,
    strayApplied,
    doubled,
    failures: failures.slice(0, 3),
    ms,
  };
}
