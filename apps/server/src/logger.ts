import { pino, type Logger } from "pino";

export type { Logger };

/** Structured JSON logs on stderr; the redact list keeps tokens out even if a header is logged. */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: "ils-server" },
      redact: { paths: ["token", "*.token", "authorization", "*.authorization", "headers.authorization"], censor: "[redacted]" },
    },
    pino.destination(2),
  );
}
