import { randomBytes } from "node:crypto";

/** A new ILS_TOKEN: 32 random bytes (256 bits), base64url so it fits a URL path and a header unescaped. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}
