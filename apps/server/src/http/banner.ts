import QRCode from "qrcode";
import { boundAddresses } from "./host-policy.ts";
import { tokenBaseUrl } from "./token-prefix.ts";

const isLoopback = (address: string) => address === "localhost" || address === "[::1]" || address.startsWith("127.");
// Link-local IPv6 needs a zone id (`%en0`) that a URL cannot carry reliably.
const isLinkLocal = (address: string) => address.startsWith("[fe80:");

/**
 * The start-up banner (stdout, not the log): for each non-loopback address the server listens on, the base
 * URL with the token prefix and its QR code, so a phone can scan it. The only place the token is printed.
 */
export async function tokenBanner(bindHost: string, port: number, token: string): Promise<string> {
  const urls = [...new Set(boundAddresses(bindHost))]
    .filter((address) => !isLoopback(address) && !isLinkLocal(address))
    .map((address) => tokenBaseUrl(`http://${address}:${port}`, token));
  if (urls.length === 0) return "";
  const parts = ["ILS server: use this base URL in the ILS app (it holds the token: share it with no one)."];
  for (const url of urls) parts.push(`\n  ${url}\n`, await QRCode.toString(url, { type: "terminal", small: true }));
  return `${parts.join("\n")}\n`;
}
