#!/usr/bin/env node
// The `botknobs` command: the compiled command line (src/cli/bin.ts, built into dist by `npm run build`).
import "../dist/cli/bin.js";
