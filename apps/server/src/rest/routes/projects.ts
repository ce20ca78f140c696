import { IosProjectList } from "@ils/contracts";
import { z } from "zod";
import { ProjectsView } from "../ios/projects.ts";
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
    summary: "Projects, derived from the sessions' working directories (ids are stable hashes of the path)",
    query: ProjectsQuery,
    response: IosProjectList,
    handle: async ({ query, services }) => {
      const all = new ProjectsView(services.db).list();
      return { items: all.slice(query.offset, query.offset + query.limit), total: all.length };
    },
  }),
];
