/**
 * What this host says of its processes — whether a pid runs, when it started, the boot and the
 * pid namespace — read from `/proc` where it exists: how the file stores tell a dead writer's lock
 * or temporary file from a live one's, whatever a restart, a reused pid or a container changed.
 * @module
 */
import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** A process as the file stores name it: the `/proc` facts only where they exist. */
export interface ProcessPlace {
  host: string;
  pid: number;
  /** The host's boot id (Linux): a writer of an earlier boot is no living process. */
  boot?: string;
  /** The pid namespace (e.g. `pid:[4026531836]`): pids compare only within one. */
  ns?: string;
  /** The process's start time (clock ticks since boot): a reused pid has another. */
  start?: number;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * A process's start time from `/proc/<pid>/stat` (field 22, after the parenthesised name);
 * undefined without `/proc` or when no such process runs.
 * @example
 * startOf(process.pid) === thisProcess().start; // true on Linux
 */
export function startOf(pid: number | "self"): number | undefined {
  const text = readProc(`/proc/${pid}/stat`);
  const start = Number(text?.slice(text.lastIndexOf(")") + 2).split(" ")[19]);
  return Number.isSafeInteger(start) ? start : undefined;
}

/**
 * Whether a process of this host (and pid namespace) runs: a permission error means it exists.
 * @example
 * if (!processAlive(owner.pid)) await unlink(lockPath);
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string })?.code === "EPERM";
  }
}

let self: ProcessPlace | undefined;

/**
 * This process (read once).
 * @example
 * const { host, pid, boot } = thisProcess();
 */
export function thisProcess(): ProcessPlace {
  if (self === undefined) {
    const me: ProcessPlace = { host: hostname(), pid: process.pid };
    const boot = readProc("/proc/sys/kernel/random/boot_id");
    const start = startOf("self");
    let ns: string | undefined;
    try {
      // The link's target names the namespace.
      ns = readlinkSync("/proc/self/ns/pid");
    } catch {
      ns = undefined;
    }
    if (boot !== undefined) me.boot = boot;
    if (ns !== undefined) me.ns = ns;
    if (start !== undefined) me.start = start;
    self = me;
  }
  return self;
}
