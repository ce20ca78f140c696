import { readdirSync, readFileSync } from "node:fs";

/** A process named exactly: a pid alone may be reused, pid + start time (clock ticks since boot) may not. */
export interface ProcessId {
  pid: number;
  startTime: string;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  startTime: string;
}

/** Fields of /proc/<pid>/stat; the command name (2nd field) may hold spaces and parentheses, so parse after its last `)`. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, pgrp field 5, starttime field 22.
  if (fields[0] === "Z") return undefined; // a zombie is already dead
  return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19] ?? "" };
}

let bootId: string | undefined;
/** Start times count from boot: with the boot id a record from before a reboot never matches. */
export function currentBootId(): string {
  bootId ??= (() => {
    try {
      return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      return "unknown";
    }
  })();
  return bootId;
}

/** True when `id` is still the very process that was recorded. */
export function isSameProcess(id: ProcessId): boolean {
  const stat = readStat(id.pid);
  return stat !== undefined && stat.startTime === id.startTime;
}

/** Children of `pid` from /proc/<pid>/task/<tid>/children (a child belongs to the thread that forked it). */
function childrenOf(pid: number): number[] | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ")) if (c.trim()) out.push(Number(c));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && tasks.length > 0) return undefined; // kernel without it
    }
  }
  return out;
}

/**
 * Every live descendant of `root`. Claude Code starts each Bash tool in a process group of its own, so the
 * process group alone does not find them; parentage does (while the parents live). Reads only the tree's own
 * /proc entries (cheap enough to poll), or scans all of /proc on a kernel without `children` files.
 */
export function descendantsOf(root: number): ProcessId[] {
  const found: ProcessId[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const children = childrenOf(pid);
    if (children === undefined) return scanDescendants(root);
    for (const child of children) {
      const stat = readStat(child);
      if (!stat) continue;
      found.push({ pid: child, startTime: stat.startTime });
      queue.push(child);
    }
  }
  return found;
}

function scanDescendants(root: number): ProcessId[] {
  const children = new Map<number, ProcStat[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const found: ProcessId[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push({ pid: child.pid, startTime: child.startTime });
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * Kills `root` and every descendant: the known ones (recorded earlier, so a tool whose parent already died is
 * still found) and those a fresh scan finds. Everyone is stopped first (SIGSTOP), so no one forks a new child
 * between the scan and the kill; a process is only signalled while its start time still matches.
 */
export function killTree(root: ProcessId | undefined, known: ProcessId[] = []): ProcessId[] {
  const targets = new Map<number, ProcessId>();
  const add = (id: ProcessId) => {
    if (isSameProcess(id)) targets.set(id.pid, id);
  };
  const scan = () => {
    if (root) add(root);
    for (const id of known) add(id);
    for (const id of [...targets.values()]) for (const d of descendantsOf(id.pid)) add(d);
  };
  scan();
  for (const id of targets.values()) signal(id.pid, "SIGSTOP");
  scan(); // children forked before the stop landed
  for (const id of targets.values()) signal(id.pid, "SIGSTOP");
  for (const id of targets.values()) signal(id.pid, "SIGKILL");
  return [...targets.values()];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: gone already.
  }
}
