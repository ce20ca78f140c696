import { SearchPage, SearchQuery } from "@ils/contracts";
import { defineRoute, type RouteDef } from "../route.ts";

export const searchRoutes: RouteDef[] = [
  defineRoute({
    method: "GET",
    path: "/search",
    operationId: "searchMessages",
    tag: "search",
    summary: "Full-text search over every stored message, best match first",
    description:
      '`q` is an FTS5 query: words (all must match), `"a phrase"`, `prefix*`, `OR`, `NOT`, `NEAR(a b)`. Quote terms with punctuation (`"src/app.ts"`). A query FTS5 cannot parse is a 400 naming `q`. Continue with `cursor` = `nextCursor`; open a hit with `messages.list({ around: messageId })`.',
    query: SearchQuery,
    response: SearchPage,
    handle: async ({ query, services }) => services.search.query(query),
  }),
];
