import { ConfigError, loadConfig } from "./config/config.ts";
import { startServer } from "./app.ts";

/** SIGHUP is what closing the terminal sends: it gets the same clean shutdown as Ctrl-C and `kill`. */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

try {
  const app = await startServer(loadConfig());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, "shutting down");
    const started = performance.now();
    void app
      .stop()
      .then(() => {
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
