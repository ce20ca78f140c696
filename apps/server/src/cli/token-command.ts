import { randomBytes } from "node:crypto";

/** `ils token`: 32 bytes from the OS's CSPRNG, base64url (43 characters, safe in a URL path and a header). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
