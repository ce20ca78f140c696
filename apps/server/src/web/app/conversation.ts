import type { ChatEvent, Message, Session } from "@ils/contracts";
import { describeError, exportUrl, trpc } from "./api.ts";
import { count, formatDate, h } from "./dom.ts";
import { renderMessage } from "./message-render.ts";

const PAGE = 50;
/** How close (px) to an edge of the scroller the next page is fetched. */
const EDGE = 400;

type LiveState = "idle" | "watching" | "running" | "finished" | "failed" | "cancelled" | "offline";

/**
 * One session's conversation. Opens at the newest page (or centred on a search hit), fetches older pages as
 * the reader scrolls up and newer ones as they scroll down, and, once the newest stored message is on the
 * page, follows the session live over `chat.events` (a run started anywhere shows up as it happens).
 */
export class Conversation {
  private readonly title = h("h2", { tabindex: -1 });
  private readonly facts = h("p", { class: "facts" });
  private readonly live = h("p", { class: "live", role: "status", "data-state": "idle" });
  private readonly older = h("button", { type: "button", class: "more", hidden: true }, "Load older messages");
  private readonly newer = h("button", { type: "button", class: "more", hidden: true }, "Load newer messages");
  private readonly list = h("ol", { class: "messages", "aria-label": "Messages" });
  private readonly scroller = h("div", { class: "scroller", tabindex: 0, "aria-label": "Conversation" }, this.older, this.list, this.newer);
  private prevCursor: string | null = null;
  private nextCursor: string | null = null;
  private hasNewer = false;
  /** The highest seq received, shown or not: where the live stream resumes. */
  private lastSeq = 0;
  private loading = false;
  private subscription: { unsubscribe(): void } | undefined;
  private closed = false;

  constructor(
    root: HTMLElement,
    private readonly sessionId: string,
    private readonly focusMessageId: string | undefined,
    /** Told when the session's facts change (a run ended), so the list can show them too. */
    private readonly onSessionChange: (session: Session) => void,
  ) {
    root.replaceChildren(h("header", { class: "conv-head" }, this.title, this.facts, this.live, this.exportLinks()), this.scroller);
    this.scroller.addEventListener("scroll", () => void this.fillFromScroll(), { passive: true });
    this.older.addEventListener("click", () => void this.loadOlder());
    this.newer.addEventListener("click", () => void this.loadNewer());
  }

  async open(): Promise<void> {
    this.title.textContent = "Loading…";
    try {
      const session = await trpc.sessions.get.query({ sessionId: this.sessionId });
      this.showSession(session);
      if (session.status === "active") this.setLive("running");
      const page = this.focusMessageId
        ? await trpc.messages.list.query({ sessionId: this.sessionId, around: this.focusMessageId, limit: PAGE })
        : await trpc.messages.list.query({ sessionId: this.sessionId, direction: "backward", limit: PAGE });
      if (this.closed) return;
      this.appendMessages(page.items as Message[]);
      this.prevCursor = page.prevCursor;
      this.nextCursor = page.nextCursor;
      // A backward page ends at the newest message; an `around` page says whether newer ones follow.
      this.hasNewer = this.focusMessageId ? page.hasMore : false;
      this.updateButtons();
      if (this.focusMessageId) this.focusHit(this.focusMessageId);
      else {
        this.scrollToBottom();
        this.title.focus();
      }
      if (!this.hasNewer) this.follow();
      await this.fillFromScroll();
    } catch (error) {
      if (this.closed) return;
      this.title.textContent = "Could not open this session";
      this.facts.textContent = describeError(error);
      this.facts.setAttribute("role", "alert");
    }
  }

  close(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
  }

  private exportLinks(): HTMLElement {
    return h(
      "p",
      { class: "export" },
      "Export: ",
      h("a", { href: exportUrl(this.sessionId, "markdown"), download: `session-${this.sessionId}.md` }, "Markdown"),
      " · ",
      h("a", { href: exportUrl(this.sessionId, "jsonl"), download: `session-${this.sessionId}.jsonl` }, "JSONL"),
    );
  }

  private showSession(session: Session): void {
    this.title.textContent = session.name ?? session.firstPrompt ?? `Session ${session.id.slice(0, 8)}`;
    document.title = `${this.title.textContent} · ILS sessions`;
    this.facts.textContent = [
      session.projectPath,
      `started ${formatDate(session.createdAt)}`,
      count(session.messageCount, "message"),
      session.model,
    ]
      .filter(Boolean)
      .join(" · ");
  }

  /** Loads older or newer pages while the reader is near that edge (and right after a page left it there). */
  private async fillFromScroll(): Promise<void> {
    // A failed page stops the loop (no retry storm); the next scroll or a button press tries again.
    while (!this.loading && !this.closed) {
      if (this.prevCursor && this.scroller.scrollTop < EDGE) {
        if (!(await this.loadOlder())) return;
      } else if (this.hasNewer && this.distanceToBottom() < EDGE) {
        if (!(await this.loadNewer())) return;
      } else return;
    }
  }

  private async loadOlder(): Promise<boolean> {
    if (this.loading || !this.prevCursor) return false;
    return this.page(async () => {
      const page = await trpc.messages.list.query({
        sessionId: this.sessionId,
        direction: "backward",
        cursor: this.prevCursor!,
        limit: PAGE,
      });
      // Keep what the reader is looking at in place while the page grows above it.
      const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
      this.list.prepend(...rendered(page.items as Message[]));
      this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
      this.prevCursor = page.prevCursor;
    });
  }

  private async loadNewer(): Promise<boolean> {
    if (this.loading || !this.hasNewer || !this.nextCursor) return false;
    return this.page(async () => {
      const page = await trpc.messages.list.query({
        sessionId: this.sessionId,
        direction: "forward",
        cursor: this.nextCursor!,
        limit: PAGE,
      });
      this.appendMessages(page.items as Message[]);
      this.nextCursor = page.nextCursor;
      this.hasNewer = page.hasMore;
      if (!this.hasNewer) this.follow();
    });
  }

  /** Runs one page load; false when it failed (the reason is shown in the status line). */
  private async page(load: () => Promise<void>): Promise<boolean> {
    this.loading = true;
    this.list.setAttribute("aria-busy", "true");
    try {
      await load();
      return true;
    } catch (error) {
      this.setLive("offline", describeError(error));
      return false;
    } finally {
      this.loading = false;
      this.list.removeAttribute("aria-busy");
      this.updateButtons();
    }
  }

  /** Stored messages after the newest one shown, then live ones; the WebSocket resumes by itself after a drop. */
  private follow(): void {
    if (this.subscription || this.closed) return;
    this.subscription = trpc.chat.events.subscribe(
      { sessionId: this.sessionId, lastEventId: String(this.lastSeq) },
      {
        // The server has the subscription: from here on, no message or run event of this session is missed.
        onStarted: () => {
          if (this.live.dataset.state === "idle" || this.live.dataset.state === "offline") this.setLive("watching");
        },
        onData: (item) => this.onEvent(untracked(item)),
        onError: (error) => this.setLive("offline", describeError(error)),
      },
    );
  }

  private onEvent(event: ChatEvent): void {
    if (event.kind === "message") {
      if (event.message.seq <= this.lastSeq) return;
      const stick = this.distanceToBottom() < 80;
      this.appendMessages([event.message]);
      if (stick) this.scrollToBottom();
    } else if (event.kind === "run") {
      if (event.state === "started") this.setLive("running");
      else {
        this.setLive(event.state, event.error?.message);
        void trpc.sessions.get.query({ sessionId: this.sessionId }).then(
          (session) => {
            if (this.closed) return;
            this.showSession(session);
            this.onSessionChange(session);
          },
          () => undefined, // the facts line just stays as it was
        );
      }
    }
  }

  private appendMessages(messages: Message[]): void {
    this.list.append(...rendered(messages));
    for (const m of messages) this.lastSeq = Math.max(this.lastSeq, m.seq);
  }

  private setLive(state: LiveState, detail?: string): void {
    const text: Record<LiveState, string> = {
      idle: "",
      watching: "Following live",
      running: "Claude is running…",
      finished: "Run finished",
      failed: "Run failed",
      cancelled: "Run cancelled",
      offline: "Connection lost",
    };
    this.live.dataset.state = state;
    this.live.textContent = detail ? `${text[state]}: ${detail}` : text[state];
  }

  private focusHit(messageId: string): void {
    const item = this.list.querySelector<HTMLElement>(`[data-id="${CSS.escape(messageId)}"]`);
    if (!item) return;
    item.classList.add("focus");
    item.scrollIntoView({ block: "center" });
    item.focus({ preventScroll: true });
  }

  private updateButtons(): void {
    this.older.hidden = !this.prevCursor;
    this.newer.hidden = !this.hasNewer;
  }

  private distanceToBottom(): number {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight;
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

function rendered(messages: Message[]): HTMLLIElement[] {
  return messages.map(renderMessage).filter((item): item is HTMLLIElement => item !== null);
}

/** Message events arrive `tracked` ({ id, data }); run and partial events as they are. */
function untracked(item: unknown): ChatEvent {
  const value = item as { id?: unknown; data?: unknown; kind?: unknown };
  return (value && typeof value === "object" && "data" in value && !("kind" in value) ? value.data : value) as ChatEvent;
}
