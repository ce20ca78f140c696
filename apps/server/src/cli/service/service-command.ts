import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import { CliError } from "../local-services.ts";
import { LAUNCHD_LABEL, launchdPlist } from "./launchd-plist.ts";
import { currentServiceDefinition } from "./service-definition.ts";
import { systemdUnit } from "./systemd-unit.ts";

interface InstallOptions {
  user?: boolean;
  print?: boolean;
  dryRun?: boolean;
  format: string;
}

/** `ils service install --user`: a per-user service running `ils serve` with the settings in force now. */
export function addServiceCommand(program: Command): void {
  const service = program.command("service").description("run the server as a service of your user (systemd, launchd)");
  service
    .command("install")
    .description("write a systemd user unit (Linux) or a launchd agent (macOS) that runs `ils serve` with the current ILS_* settings")
    .option("--user", "install for the current user (the only kind ils writes)")
    .option("--print", "print what would be written instead of writing it")
    .option("--dry-run", "the same as --print")
    .option("--format <format>", "systemd or launchd", process.platform === "darwin" ? "launchd" : "systemd")
    .action((opts: InstallOptions) => {
      if (!opts.user) throw new CliError("only per-user services are written: add --user (a system-wide unit is in docs/deploy.md)", 2);
      if (opts.format !== "systemd" && opts.format !== "launchd")
        throw new CliError(`--format: must be systemd or launchd (got ${JSON.stringify(opts.format)})`, 2);
      const print = opts.print || opts.dryRun;
      const files = opts.format === "systemd" ? systemdFiles(print) : launchdFiles(print);
      for (const file of files) {
        if (print) {
          process.stdout.write(`# ${file.path}\n${file.text}\n`);
          continue;
        }
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.text, { mode: file.secret ? 0o600 : 0o644 });
        if (file.secret) chmodSync(file.path, 0o600); // also when it existed with wider permissions
        process.stderr.write(`wrote ${file.path}\n`);
      }
      if (!print) process.stderr.write(`${opts.format === "systemd" ? SYSTEMD_NEXT : LAUNCHD_NEXT}\n`);
    });
}

interface ServiceFile {
  path: string;
  text: string;
  /** Holds the token: readable by its owner only. */
  secret: boolean;
}

/** Printed files show where the token goes, never the token (a pasted dry run must not leak it). */
function definition(home: string, print: boolean | undefined) {
  const def = currentServiceDefinition(home);
  return print && def.token ? { ...def, token: "<your ILS_TOKEN>" } : def;
}

function systemdFiles(print: boolean | undefined): ServiceFile[] {
  const home = homedir();
  const configHome = process.env.XDG_CONFIG_HOME || join(home, ".config");
  const def = definition(home, print);
  const envFile = def.token ? join(configHome, "ils", "ils.env") : undefined;
  const unit = { path: join(configHome, "systemd", "user", "ils.service"), text: systemdUnit(def, envFile), secret: false };
  return envFile ? [unit, { path: envFile, text: `ILS_TOKEN=${def.token}\n`, secret: true }] : [unit];
}

function launchdFiles(print: boolean | undefined): ServiceFile[] {
  const home = homedir();
  const def = definition(home, print);
  const text = launchdPlist(def, join(home, "Library", "Logs", "ils.log"));
  return [{ path: join(home, "Library", "LaunchAgents", `${LAUNCHD_LABEL}.plist`), text, secret: Boolean(def.token) }];
}

const SYSTEMD_NEXT = `start it now and at every boot:
  systemctl --user daemon-reload && systemctl --user enable --now ils
  loginctl enable-linger "$USER"    # keep it running while you are logged out
logs: journalctl --user -u ils -f`;

const LAUNCHD_NEXT = `start it now and at every login:
  launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist
logs: ~/Library/Logs/ils.log`;
