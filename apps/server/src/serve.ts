import { ConfigError, loadConfig } from "./config/config.ts";
import { startServer } from "./app.ts";

/** `ils serve` (and `pnpm dev`): starts the server from the environment and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(): Promise<void> {
  try {
    const app = await startServer(loadConfig());
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, "shutting down");
      void app.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`ils-server: ${error.message}`);
      process.exit(78);
    }
    console.error("ils-server: failed to start:", error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
