// The start-up sweep of a file store and the temporary files of uploads (issue 22, item 8): an
// upload killed mid-write (kill -9) leaves its temporary file, and the next sweep removes it at
// once because its writer is gone — not an hour later — while the temporary file of an upload
// still in progress (its writer alive, renewing it) is left alone.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FsBlobStore } from "../../src/adapters/fs/fs-blob-store.ts";

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function temps(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(".botknobs-tmp-"));
}

describe("FsBlobStore.sweep and temporary files", () => {
  it("removes at once the temporary file of an upload whose process was killed", async () => {
    const root = await mkdtemp(join(tmpdir(), "botknobs-sweep-"));
    roots.push(root);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/fixtures/upload-worker.ts", root],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => {
        if (d.toString().includes("writing")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the writer exited (${code}) before writing`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const left = await temps(join(root, "d"));
    expect(left.length).toBe(1);
    expect((await stat(join(root, "d", left[0] as string))).size).toBeGreaterThanOrEqual(1 << 20);

    // A restart: a new store over the folder, its default sweep.
    const swept = await new FsBlobStore({ root }).sweep();
    expect(swept.files).toBeGreaterThanOrEqual(1);
    expect(swept.bytes).toBeGreaterThanOrEqual(1 << 20);
    expect(await temps(join(root, "d"))).toEqual([]);
  }, 60_000);

  it("leaves the temporary file of an upload still in progress", async () => {
    const root = await mkdtemp(join(tmpdir(), "botknobs-sweep-live-"));
    roots.push(root);
    const store = new FsBlobStore({ root });
    await store.initialize();
    let release: () => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1024).fill(97));
        release = () => controller.close();
      },
    });
    const put = store.put("d/live.md", body);
    while ((await temps(join(root, "d"))).length === 0) await new Promise((r) => setTimeout(r, 10));
    await new FsBlobStore({ root }).sweep();
    expect((await temps(join(root, "d"))).length).toBe(1);
    release();
    expect((await put)?.size).toBe(1024);
    expect(await temps(join(root, "d"))).toEqual([]);
  });

  it("a writer it cannot see (another host or container): its lease decides, a minute unrenewed", async () => {
    const root = await mkdtemp(join(tmpdir(), "botknobs-sweep-lease-"));
    roots.push(root);
    await mkdir(join(root, "d"));
    const foreign = (n: number) => `.botknobs-tmp-4242.99.0123456789ab-${n}`;
    await writeFile(join(root, "d", foreign(1)), "lapsed");
    await writeFile(join(root, "d", foreign(2)), "renewed");
    const old = new Date(Date.now() - 2 * 60_000);
    await utimes(join(root, "d", foreign(1)), old, old);
    await new FsBlobStore({ root }).sweep();
    expect(await temps(join(root, "d"))).toEqual([foreign(2)]);
  });
});

// Lock files are judged by the locks' own rules (fs-lock.ts), not by host and pid alone: a lock
// left by a container that was recreated under a new hostname, not renewed for longer than the
// lease, is swept (it used to stay forever, since its host was not this one); a lock whose pid
// runs again but started at another time (a reused pid) is swept; a fresh lock of another host
// (a live holder elsewhere, renewing it) is left alone.
describe("FsBlobStore.sweep and lock files", () => {
  const lockOf = (owner: Record<string, unknown>) =>
    JSON.stringify({ token: "t", boot: undefined, ...owner });

  it("removes stale locks of another host or a reused pid, keeps a fresh foreign one", async () => {
    const root = await mkdtemp(join(tmpdir(), "botknobs-sweep-locks-"));
    roots.push(root);
    const dir = join(root, "d");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "keep.txt"), "x");
    const oldHost = join(dir, ".botknobs-lock-oldhost");
    await writeFile(oldHost, lockOf({ host: "container-before-restart", pid: 1 }));
    const past = new Date(Date.now() - 60_000);
    await utimes(oldHost, past, past);
    const reused = join(dir, ".botknobs-lock-reused");
    const { thisProcess } = await import("../../src/adapters/fs/fs-process.ts");
    const me = thisProcess();
    await writeFile(reused, lockOf({ ...me, start: (me.start ?? 0) + 12345 }));
    const live = join(dir, ".botknobs-lock-live");
    await writeFile(live, lockOf({ host: "another-container", pid: 1 }));

    await new FsBlobStore({ root }).sweep();
    const left = (await readdir(dir)).sort();
    const expected = [".botknobs-lock-live", "keep.txt"];
    // Without /proc a reused pid cannot be told from its first life: the lock stays.
    if (me.start === undefined) expected.unshift(".botknobs-lock-reused");
    expect(left).toEqual(expected.sort());
  });
});
