import { ConfigError, loadConfig } from "./config/config.ts";
import { startServer } from "./app.ts";

/** SIGHUP is what closing the terminal sends: it gets the same clean shutdown as Ctrl-C and `kill`. */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Beyond the runs' SIGINT-to-SIGKILL grace: a shutdown that hangs longer than this is cut short. */
const SHUTDOWN_EXTRA_MS = 10_000;

/** `ils serve` (and `pnpm dev`): starts the server from the environment and stops it cleanly on SIGINT, SIGTERM or SIGHUP. */
export async function serve(): Promise<void> {
  try {
    const config = loadConfig();
    const app = await startServer(config);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, "shutting down");
      const started = performance.now();
      // Keeps the process alive until stop() is done: its last steps wait on unref'd handles (the checkpoint
      // worker), and with nothing else left Node would exit before the final checkpoint and the "stopped" line.
      const deadline = setTimeout(() => {
        app.logger.error({ signal }, "shutdown took too long; exiting");
        app.logger.flush();
        process.exit(1);
      }, config.killGraceMs + SHUTDOWN_EXTRA_MS);
      void app
        .stop()
        .then(() => {
          clearTimeout(deadline);
          app.logger.info({ signal, ms: Math.round(performance.now() - started) }, "stopped");
          app.logger.flush();
          process.exit(0);
        })
        .catch((error: unknown) => {
          app.logger.error({ err: error, signal }, "shutdown failed");
          app.logger.flush();
          process.exit(1);
        });
    };
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, () => stop(signal));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`ils-server: ${error.message}`);
      process.exit(78);
    }
    console.error("ils-server: failed to start:", error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
