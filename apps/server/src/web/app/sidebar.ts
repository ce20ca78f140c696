import type { SearchHit, Session } from "@ils/contracts";
import { describeError, trpc } from "./api.ts";
import { clear, count, formatDate, h } from "./dom.ts";
import { highlighted } from "./message-render.ts";

const SESSIONS_PAGE = 50;
const HITS_PAGE = 20;

/**
 * The left pane: the sessions (newest activity first), or the hits of a search while one is shown. Both
 * follow the project filter; both page on with "Show more".
 */
export class Sidebar {
  private readonly heading = h("h2", { class: "pane-title" });
  private readonly status = h("p", { class: "status", role: "status" });
  private readonly list = h("ul", { class: "items" });
  private readonly more = h("button", { type: "button", class: "more", hidden: true }, "Show more");
  private readonly clearSearch = h("button", { type: "button", class: "link", hidden: true }, "Back to all sessions");
  private query = "";
  private cursor: string | null = null;
  private generation = 0;

  constructor(
    root: HTMLElement,
    form: HTMLFormElement,
    input: HTMLInputElement,
    private readonly project: HTMLSelectElement,
  ) {
    root.append(h("div", { class: "pane-head" }, this.heading, this.clearSearch), this.status, this.list, this.more);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.show(input.value.trim());
    });
    project.addEventListener("change", () => this.show(this.query));
    this.more.addEventListener("click", () => void this.load(false));
    this.clearSearch.addEventListener("click", () => {
      input.value = "";
      this.show("");
    });
  }

  async start(): Promise<void> {
    void this.loadProjects();
    await this.show("");
  }

  /** Marks the open session in the list. */
  markCurrent(sessionId: string | undefined): void {
    for (const link of this.list.querySelectorAll<HTMLAnchorElement>("a[data-session]")) {
      if (link.dataset.session === sessionId && !link.dataset.message) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  /** Shows a session's new facts (message count, status) in its list entry, if listed. */
  update(session: Session): void {
    const link = this.list.querySelector<HTMLAnchorElement>(`a[data-session="${CSS.escape(session.id)}"]:not([data-message])`);
    link?.closest("li")?.replaceWith(sessionItem(session));
    this.markCurrent(currentSessionId());
  }

  private show(query: string): Promise<void> {
    this.query = query;
    this.clearSearch.hidden = query === "";
    this.heading.textContent = query ? `Results for “${query}”` : "Sessions";
    return this.load(true);
  }

  private async load(reset: boolean): Promise<void> {
    const generation = reset ? ++this.generation : this.generation;
    if (reset) {
      this.cursor = null;
      clear(this.list);
    }
    this.more.hidden = true;
    this.list.setAttribute("aria-busy", "true");
    this.status.textContent = "Loading…";
    const projectPath = this.project.value || undefined;
    try {
      const page = this.query
        ? await trpc.search.query.query({
            q: this.query,
            limit: HITS_PAGE,
            ...(projectPath ? { projectPath } : {}),
            ...(this.cursor ? { cursor: this.cursor } : {}),
          })
        : await trpc.sessions.list.query({
            limit: SESSIONS_PAGE,
            ...(projectPath ? { projectPath } : {}),
            ...(this.cursor ? { cursor: this.cursor } : {}),
          });
      if (generation !== this.generation) return; // a newer search or filter replaced this one
      for (const item of page.items) this.list.append(this.query ? hitItem(item as SearchHit) : sessionItem(item as Session));
      this.cursor = page.nextCursor;
      this.more.hidden = !page.hasMore;
      this.status.textContent = this.query
        ? page.total === 1
          ? "1 match"
          : `${page.total} matches`
        : page.total === 0
          ? "No sessions yet."
          : count(page.total, "session");
      this.markCurrent(currentSessionId());
    } catch (error) {
      if (generation !== this.generation) return;
      this.status.textContent = describeError(error);
      this.status.setAttribute("role", "alert");
      return;
    } finally {
      this.list.removeAttribute("aria-busy");
    }
    this.status.setAttribute("role", "status");
  }

  private async loadProjects(): Promise<void> {
    try {
      for (const project of await trpc.projects.list.query()) {
        this.project.append(h("option", { value: project.path }, `${project.name} (${project.sessionCount})`));
      }
    } catch {
      // The list itself reports an unreachable or locked server; the filter just stays at "All projects".
    }
  }
}

function sessionItem(session: Session): HTMLLIElement {
  const title = session.name ?? session.firstPrompt ?? `Session ${session.id.slice(0, 8)}`;
  const facts = [session.projectName, formatDate(session.lastActiveAt), count(session.messageCount, "message")].filter(Boolean).join(" · ");
  return h(
    "li",
    {},
    h(
      "a",
      { href: `#/session/${session.id}`, class: "item", "data-session": session.id },
      h("span", { class: "title" }, title),
      h("span", { class: "facts" }, facts),
      session.status === "active" ? h("span", { class: "badge" }, "running") : null,
    ),
  );
}

function hitItem(hit: SearchHit): HTMLLIElement {
  return h(
    "li",
    {},
    h(
      "a",
      {
        href: `#/session/${hit.sessionId}/message/${hit.messageId}`,
        class: "item hit",
        "data-session": hit.sessionId,
        "data-message": hit.messageId,
      },
      h("span", { class: "title" }, hit.sessionName ?? `Session ${hit.sessionId.slice(0, 8)}`),
      h("span", { class: "snippet" }, ...highlighted(hit.snippet, hit.highlights)),
      h("span", { class: "facts" }, [hit.type, formatDate(hit.timestamp)].filter(Boolean).join(" · ")),
    ),
  );
}

export function currentSessionId(): string | undefined {
  return /^#\/session\/([0-9a-f-]{36})/i.exec(location.hash)?.[1];
}
