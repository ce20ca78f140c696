import type { CreateSessionInput } from "@ils/contracts";
import type { SessionRow } from "./session-row.ts";
import type { SessionService } from "./session-service.ts";

export interface SessionForRunRequest {
  /** The session the client names; one it never saw is created under this id (the iOS app names new ones itself). */
  sessionId?: string;
  /** The settings of a session created here: it goes through `sessions.create`, the one creation path. */
  create: CreateSessionInput;
}

/**
 * The session a run goes into: the named one, or one created on the fly through `SessionService.create` (the
 * same function tRPC `sessions.create` and REST `POST /sessions` call). `accept` sees the existing session (or
 * none) before anything is created and may refuse the request by throwing, so a refused request leaves no
 * session behind; its result is handed back. The run's directory is checked last (ILS_PROJECT_ROOTS), so a
 * refused directory is an error before any stream opens.
 */
export async function sessionForRun<T>(
  sessions: Pick<SessionService, "findRow" | "create" | "getRow" | "runDirectory">,
  request: SessionForRunRequest,
  accept: (existing: SessionRow | undefined) => T,
): Promise<{ session: SessionRow; accepted: T }> {
  const existing = request.sessionId !== undefined ? await sessions.findRow(request.sessionId) : undefined;
  const accepted = accept(existing);
  const id = existing ? existing.id : (await sessions.create(request.create, request.sessionId)).id;
  const session = await sessions.getRow(id);
  await sessions.runDirectory(session);
  return { session, accepted };
}
