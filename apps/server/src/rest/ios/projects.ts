import { toWireDate, type Project } from "@ils/contracts";
import type { IosProject, IosProjectGroup } from "@ils/contracts/ios";
import { encodeProjectPath } from "../../projects/project-id.ts";
import type { ProjectNameGroup } from "../../projects/project-service.ts";

/** The app's grouping key for sessions without a project. */
export const UNGROUPED = "Ungrouped";

/** A project as the app's `Project`: `defaultModel` is required there. */
export function toIosProject(project: Project): IosProject {
  return {
    id: project.id,
    name: project.name,
    path: project.path,
    defaultModel: project.defaultModel ?? "sonnet",
    createdAt: project.createdAt,
    lastAccessedAt: project.lastAccessedAt,
    ...(project.description !== null ? { description: project.description } : {}),
    sessionCount: project.sessionCount,
    encodedPath: encodeProjectPath(project.path),
  };
}

export function toIosProjectGroup(group: ProjectNameGroup): IosProjectGroup {
  return { name: group.name ?? UNGROUPED, sessionCount: group.sessionCount, latestDate: toWireDate(group.latest) };
}
