import type { ServiceDefinition } from "./service-definition.ts";

export const LAUNCHD_LABEL = "dev.ils.server";

const xml = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const string = (value: string) => `<string>${xml(value)}</string>`;

/** The launch agent (`~/Library/LaunchAgents/dev.ils.server.plist`): started at login, restarted when it fails. */
export function launchdPlist(def: ServiceDefinition, logFile: string): string {
  const environment = { ...def.environment, ...(def.token ? { ILS_TOKEN: def.token } : {}) };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>${string(LAUNCHD_LABEL)}
  <key>ProgramArguments</key>
  <array>
${def.command.map((arg) => `    ${string(arg)}`).join("\n")}
  </array>
  <key>WorkingDirectory</key>${string(def.workingDirectory)}
  <key>EnvironmentVariables</key>
  <dict>
${Object.entries(environment)
  .map(([key, value]) => `    <key>${xml(key)}</key>${string(value)}`)
  .join("\n")}
  </dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key>
  <dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardErrorPath</key>${string(logFile)}
</dict>
</plist>
`;
}
