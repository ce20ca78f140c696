#!/usr/bin/env node
// Tools some tests drive from Debian: Chromium (the /docs and session browser tests; playwright-core never downloads a
// browser here) and systemd-analyze (the `ils service install` unit is verified by it). On a fresh machine where
// we are root with apt, install what is missing once; anywhere else, say so and let those tests skip with
// their printed reason. Set ILS_SKIP_TOOL_INSTALL=1 to never touch the system.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const TOOLS = [
  { path: "/usr/bin/chromium", pkg: "chromium", test: "the browser tests (/docs, the session browser)" },
  { path: "/usr/bin/systemd-analyze", pkg: "systemd", test: "the systemd unit check (deploy.test.ts)" },
];
const missing = TOOLS.filter((tool) => !existsSync(tool.path));
if (missing.length === 0 || process.env.ILS_SKIP_TOOL_INSTALL === "1") process.exit(0);
const isRoot = process.getuid?.() === 0;
if (!isRoot || !existsSync("/usr/bin/apt-get")) {
  for (const tool of missing)
    console.warn(`[ensure-test-tools] ${tool.path} missing and apt-get not usable as this user: ${tool.test} will skip.`);
  process.exit(0);
}
console.log(`[ensure-test-tools] installing ${missing.map((tool) => tool.pkg).join(", ")} from Debian (once per machine)...`);
try {
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing.map((tool) => tool.pkg)], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
} catch (error) {
  console.warn(
    `[ensure-test-tools] could not install ${missing.map((tool) => tool.pkg).join(", ")} (${error.message}): ${missing.map((tool) => tool.test).join(" and ")} will skip.`,
  );
}
