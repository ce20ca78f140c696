export * from "./stream-message.ts";
export * from "./api.ts";
export * from "./errors.ts";
export * from "./dates.ts";
export * from "./chat.ts";
export * from "./search.ts";
export * from "./sync.ts";
export * from "./text.ts";
