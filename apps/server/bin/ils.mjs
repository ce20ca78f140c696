#!/usr/bin/env node
// The package's `ils` command: the bundle built by scripts/build.mjs (`pnpm --filter @ils/server build`, or
// `pnpm pack`, which builds first). This file exists before any build, so installing the workspace can link it.
import "../dist/ils.mjs";
