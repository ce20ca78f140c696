#!/usr/bin/env node
// The browser tests (/docs, the session browser) drive Debian's Chromium (playwright-core never downloads a browser here).
// On a fresh machine where we are root with apt, install it once; anywhere else, say so and let that
// one test skip with its printed reason. Set ILS_SKIP_TOOL_INSTALL=1 to never touch the system.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/bin/chromium";
if (existsSync(CHROMIUM) || process.env.ILS_SKIP_TOOL_INSTALL === "1") process.exit(0);
const isRoot = process.getuid?.() === 0;
if (!isRoot || !existsSync("/usr/bin/apt-get")) {
  console.warn(`[ensure-test-tools] ${CHROMIUM} missing and apt-get not usable as this user: the browser tests will skip.`);
  process.exit(0);
}
console.log("[ensure-test-tools] installing Debian's chromium for the browser tests (once per machine)...");
try {
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
} catch (error) {
  console.warn(`[ensure-test-tools] could not install chromium (${error.message}): the browser tests will skip.`);
}
