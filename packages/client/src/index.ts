export type { AppRouter } from "@ils/server";
export { createIlsClient, type IlsClient, type IlsClientOptions } from "./ils-client.ts";
