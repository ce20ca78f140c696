import { pino, type DestinationStream, type Logger } from "pino";
import { prettyFactory } from "pino-pretty";

export type { Logger };

export type LogFormat = "auto" | "pretty" | "json";

/** Pretty lines for a person at a terminal; JSON for everything that reads logs (a file, journald, a pipe). */
export function usePrettyLogs(format: LogFormat, isTerminal: boolean): boolean {
  return format === "pretty" || (format === "auto" && isTerminal);
}

/** Logs on stderr, pretty when it is a terminal (see usePrettyLogs); the redact list keeps tokens out even if a header is logged. */
export function createLogger(level: string, format: LogFormat = "auto"): Logger {
  const pretty = usePrettyLogs(format, process.stderr.isTTY === true);
  return pino(
    {
      level,
      base: { service: "ils-server" },
      redact: { paths: ["token", "*.token", "authorization", "*.authorization", "headers.authorization"], censor: "[redacted]" },
    },
    pretty ? prettyStderr() : pino.destination(2),
  );
}

/**
 * pino-pretty's formatter on the same synchronous stderr stream as the JSON logs, rather than its stream or
 * transport: those write asynchronously, and the lines logged right before `process.exit` ("stopped", a failed
 * shutdown) would be lost.
 */
function prettyStderr(): DestinationStream {
  const format = prettyFactory({
    colorize: !("NO_COLOR" in process.env),
    translateTime: "SYS:HH:MM:ss.l",
    // `startup`: the start line's fields, all said in its message (see http/start-line.ts).
    ignore: "pid,hostname,service,startup",
    singleLine: true,
  });
  const stderr = pino.destination({ fd: 2, sync: true });
  return { write: (line: string) => void stderr.write(format(line)) };
}
