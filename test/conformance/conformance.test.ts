// Runs every runtime-agnostic suite under Vitest: the node, workerd and browser projects all
// include this file, so the same cases run on Node, inside workerd and inside Chromium.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAll } from "./all.ts";

const runtime =
  typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers"
    ? "workerd"
    : typeof window !== "undefined"
      ? "chromium"
      : "node";

runAll({ describe, it, expect, beforeEach, afterEach }, runtime);
