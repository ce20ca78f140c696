import "./styles.css";
import { Conversation } from "./conversation.ts";
import { currentSessionId, Sidebar } from "./sidebar.ts";

/**
 * The session browser. Routes live in the hash (`#/session/<id>`, `#/session/<id>/message/<messageId>`), so
 * the page itself is one URL, `/` or `/t/<token>/`, and a link to a conversation or a hit can be shared.
 */
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = byId<HTMLElement>("conversation");
const emptyView = [...main.childNodes];

const sidebar = new Sidebar(byId("sidebar"), byId("search-form"), byId("search-input"), byId("project-filter"));
let open: Conversation | undefined;

function route(): void {
  const match = /^#\/session\/([0-9a-f-]{36})(?:\/message\/([0-9a-f-]{36}))?$/i.exec(location.hash);
  open?.close();
  open = undefined;
  sidebar.markCurrent(currentSessionId());
  if (!match) {
    main.replaceChildren(...emptyView);
    document.title = "ILS sessions";
    return;
  }
  open = new Conversation(main, match[1]!.toLowerCase(), match[2]?.toLowerCase(), (session) => sidebar.update(session));
  void open.open();
}

window.addEventListener("hashchange", route);
route();
void sidebar.start();
