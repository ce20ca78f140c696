import { existsSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { badRequest } from "../errors/app-error.ts";

/** Where Claude Code may run: real paths, resolved once at start (config.ts). */
export interface ProjectRootRules {
  /** Real paths of ILS_PROJECT_ROOTS. */
  roots: readonly string[];
  /** Real path of the server's data folder (the folder of ILS_DB): never a project directory, nor anything in it. */
  dataDir: string;
}

/** True when `path` is `parent` or below it, segment by segment (`/home/user2` is not under `/home/user`). */
export function isWithin(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * `~` and `~/...` name the server user's home folder, as in a shell (the app's "add project" field is typed by
 * hand); `~user` is not expanded. Anything else must be absolute: a relative path would mean the server's cwd.
 */
export function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return path;
}

/** The real path of an existing directory (symlinks and `..` resolved), or a VALIDATION_ERROR naming `field`. */
export function realDirectory(input: string, field: string): string {
  if (input.includes("\0")) throw badRequest(field, "must not contain NUL characters");
  const path = expandHome(input);
  if (!isAbsolute(path)) throw badRequest(field, `${input} is not an absolute path (or one starting with ~/)`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw badRequest(field, `${input} is not a directory`);
    if (code === "EACCES") throw badRequest(field, `${input} cannot be read by the server`);
    throw badRequest(field, `${input} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw badRequest(field, `${shown(input, real)} is not a directory`);
  return real;
}

/**
 * The real path of a directory Claude Code may run in, or a VALIDATION_ERROR naming `field`: NUL, relative,
 * missing, not a directory, inside the data folder, or outside every root. Symlinks and `..` are resolved by
 * the file system (realpath), so a link inside a root that points elsewhere is judged by where it points.
 */
export function resolveProjectDirectory(input: string, field: string, rules: ProjectRootRules): string {
  const real = realDirectory(input, field);
  if (isWithin(real, rules.dataDir)) {
    throw badRequest(
      field,
      `${shown(input, real)} is in the server's data folder ${rules.dataDir} (the folder of ILS_DB), where Claude Code never runs`,
    );
  }
  if (!rules.roots.some((root) => isWithin(real, root))) {
    throw badRequest(
      field,
      `${shown(input, real)} is outside the project roots (${rules.roots.join(", ")}); the server's ILS_PROJECT_ROOTS setting says where Claude Code may run`,
    );
  }
  return real;
}

const shown = (input: string, real: string) => (real === input ? input : `${input} (${real})`);

/** The real path of `path` when some trailing part does not exist yet (the data folder before the first start). */
export function realPathOfMaybeMissing(path: string): string {
  if (existsSync(path)) return realpathSync(path);
  const parent = dirname(path);
  return parent === path ? path : join(realPathOfMaybeMissing(parent), basename(path));
}

/** The checks bound to this server's roots, and the directory a session without a project runs in. */
export class ProjectDirectories {
  constructor(
    private readonly rules: ProjectRootRules,
    /** ILS_DEFAULT_PROJECT_DIR, already checked at start. */
    readonly defaultDir: string,
  ) {}

  /** The real path to store for a user-given directory (see resolveProjectDirectory). */
  resolve(input: string, field: string): string {
    return resolveProjectDirectory(input, field, this.rules);
  }

  /**
   * Where a run goes, checked again right before it starts: a stored path may be an imported session's cwd that
   * was never checked, or a directory replaced by a symlink since. Errors name `projectPath`.
   */
  forRun(projectPath: string | null): string {
    return this.resolve(projectPath ?? this.defaultDir, "projectPath");
  }
}

/** The checks for a parsed configuration. */
export function projectDirectories(config: {
  projectRoots: readonly string[];
  dataDir: string;
  defaultProjectDir: string;
}): ProjectDirectories {
  return new ProjectDirectories({ roots: config.projectRoots, dataDir: config.dataDir }, config.defaultProjectDir);
}
