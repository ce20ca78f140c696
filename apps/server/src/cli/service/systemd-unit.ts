import type { ServiceDefinition } from "./service-definition.ts";

/** A systemd word in double quotes: `%` is a specifier and `$` a variable unless doubled. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%").replace(/\$/g, "$$$$")}"`;
}

/** A path setting (WorkingDirectory=, EnvironmentFile=) is taken as written, quotes included: only `%` is special. */
function path(value: string): string {
  return value.replace(/%/g, "%%");
}

/**
 * The user unit (`~/.config/systemd/user/ils.service`). KillMode=mixed: SIGTERM goes to the server alone, which
 * stops its Claude runs itself (SIGINT, then SIGKILL after ILS_KILL_GRACE_MS) and stores their last lines;
 * systemd kills what is left only after TimeoutStopSec.
 */
export function systemdUnit(def: ServiceDefinition, envFile: string | undefined): string {
  const lines = [
    "[Unit]",
    "Description=ILS server (Claude Code for the ILS app)",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${def.command.map(quote).join(" ")}`,
    `WorkingDirectory=${path(def.workingDirectory)}`,
    ...Object.entries(def.environment).map(([key, value]) => `Environment=${quote(`${key}=${value}`)}`),
    ...(envFile ? [`EnvironmentFile=${path(envFile)}`] : []),
    "Restart=on-failure",
    "RestartSec=5",
    // 78: a bad setting (see serve.ts); restarting cannot fix it, so the unit stops and says so in its status.
    "RestartPreventExitStatus=78",
    "KillMode=mixed",
    "TimeoutStopSec=30",
    "",
    "[Install]",
    "WantedBy=default.target",
    "",
  ];
  return lines.join("\n");
}
