/**
 * Sends one prompt and prints the conversation as it streams.
 *   ILS_URL=http://127.0.0.1:9999 [ILS_TOKEN=...] pnpm --filter @ils/client exec tsx examples/chat.ts <projectDir> "<prompt>"
 */
import { createIlsClient } from "../src/index.ts";

const [projectPath = process.cwd(), prompt = "Say hello"] = process.argv.slice(2);
const client = createIlsClient({
  url: process.env.ILS_URL ?? "http://127.0.0.1:9999",
  ...(process.env.ILS_TOKEN ? { token: process.env.ILS_TOKEN } : {}),
});

const session = await client.trpc.sessions.create.mutate({ projectPath, name: "example" });
const controller = new AbortController();
const printing = (async () => {
  for await (const event of client.events(session.id, { signal: controller.signal })) {
    if (event.kind === "message")
      console.log(`#${event.message.seq} ${event.message.type}${event.message.subtype ? `/${event.message.subtype}` : ""}`);
    if (event.kind === "run" && event.state !== "started") {
      console.log(`run ${event.state}${event.error ? `: ${event.error.message}` : ""}`);
      controller.abort();
    }
  }
})();
await client.send(session.id, prompt);
await printing;

let count = 0;
for await (const _ of client.history(session.id)) count += 1;
console.log(`${count} messages stored in session ${session.id}`);
await client.close();
