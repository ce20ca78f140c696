/**
 * `@ils/contracts/ios`: the shapes the ILS iOS app sends and decodes under `/api/v1` (see the iOS wire contract),
 * built from the core schemas. Keys are camelCase exactly as the app's Swift properties; optional keys are
 * omitted rather than null.
 */
export * from "./envelope.ts";
export * from "./sessions.ts";
export * from "./messages.ts";
export * from "./stream.ts";
export * from "./requests.ts";
export { IosWireDate } from "./wire.ts";
