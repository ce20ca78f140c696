import { CreateProjectInput } from "@ils/contracts";
import { IosProject, IosProjectList } from "@ils/contracts/ios";
import { z } from "zod";
import { toIosProject } from "../ios/projects.ts";
import { defineRoute, type RouteDef } from "../route.ts";

const ProjectsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  refresh: z.enum(["true", "false"]).optional(),
});

export const projectRoutes: RouteDef[] = [
  defineRoute({
    method: "GET",
    path: "/projects",
    operationId: "listProjects",
    tag: "projects",
    summary: "Projects: registered ones and the sessions' working directories, one per path (ids are stable hashes of the path)",
    query: ProjectsQuery,
    response: IosProjectList,
    handle: async ({ query, services }) => {
      const all = await services.projects.list();
      return { items: all.slice(query.offset, query.offset + query.limit).map(toIosProject), total: all.length };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/projects",
    operationId: "createProject",
    tag: "projects",
    summary: "Register a project directory, so sessions can start there",
    description:
      "`path` must be an existing directory under one of ILS_PROJECT_ROOTS (checked on its real path, outside the server's data folder): 400 naming `path` otherwise. It is stored as its real path; registering a path again updates its name, model and description.",
    body: CreateProjectInput,
    example: { name: "my-app", path: "~/code/my-app", defaultModel: "sonnet" },
    response: IosProject,
    handle: async ({ body, services }) => toIosProject(await services.projects.create(body)),
  }),
];
