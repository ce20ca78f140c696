import type { ScanReport } from "@ils/contracts";
import type { ScanProgress } from "@ils/sync";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const n = (value: number) => value.toLocaleString("en-US");

/** The summary printed after a scan (stdout), with the first malformed lines. */
export function formatReport(report: ScanReport): string {
  const rows: [string, string][] = [
    ["files", `${n(report.files)} (${n(report.filesRead)} read)`],
    ["bytes read", formatBytes(report.bytesRead)],
    ["lines", n(report.lines)],
    ["imported", n(report.imported)],
    ["already stored", n(report.skipped)],
    ["malformed", n(report.malformed.count)],
    ["sessions", `${n(report.sessions)} (${n(report.sessionsCreated)} new)`],
    ["time", `${(report.ms / 1000).toFixed(2)} s`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  for (const bad of report.malformed.lines.slice(0, 10)) lines.push(`  malformed: ${bad.file}:${bad.line} ${bad.reason}`);
  if (report.malformed.count > 10) lines.push(`  ... and ${n(report.malformed.count - 10)} more`);
  for (const failed of report.failedFiles) lines.push(`  not read: ${failed.file}: ${failed.reason}`);
  return `${lines.join("\n")}\n`;
}

/** One progress bar line (rewritten in place on a TTY). */
export function formatProgress(progress: ScanProgress, columns = 80): string {
  const ratio =
    progress.bytesToRead > 0
      ? Math.min(1, progress.bytesRead / progress.bytesToRead)
      : progress.files > 0
        ? progress.filesDone / progress.files
        : 1;
  const text = ` ${Math.floor(ratio * 100)}%  ${n(progress.filesDone)}/${n(progress.files)} files  ${formatBytes(progress.bytesRead)}`;
  const barWidth = Math.max(10, Math.min(40, columns - text.length - 3));
  const filled = Math.round(ratio * barWidth);
  return `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]${text}`;
}
