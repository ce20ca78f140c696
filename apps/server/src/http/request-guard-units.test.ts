import { describe, expect, it } from "vitest";
import { createHostPolicy, splitHost } from "./host-policy.ts";
import { redactTokenPrefix, splitTokenPrefix, tokenBaseUrl } from "./token-prefix.ts";

const policy = (allowedHosts: string[] = [], allowedOrigins: string[] = [], host = "127.0.0.1") =>
  createHostPolicy({ host, allowedHosts, allowedOrigins }, () => 9999);

describe("Host and Origin rules", () => {
  it("splits Host values, IPv6 in brackets, and refuses malformed ones", () => {
    expect(splitHost("Example.COM:9999")).toEqual({ name: "example.com", port: 9999 });
    expect(splitHost("[::1]:80")).toEqual({ name: "[::1]", port: 80 });
    expect(splitHost("localhost")).toEqual({ name: "localhost", port: undefined });
    for (const bad of ["::1", "a b", "host:port", "[::1", "x:1:2", ""]) expect(splitHost(bad), bad).toBeUndefined();
  });

  it("loopback names only on the server's port; listed names with any port or the listed one", () => {
    const p = policy(["tun.example", "box.example:8443"]);
    expect(p.hostAllowed("127.0.0.1:9999")).toBe(true);
    expect(p.hostAllowed("[::1]:9999")).toBe(true);
    expect(p.hostAllowed("localhost:9998")).toBe(false);
    expect(p.hostAllowed("localhost")).toBe(false); // port 80 is not ours
    expect(p.hostAllowed(undefined)).toBe(false);
    expect(p.hostAllowed("tun.example")).toBe(true);
    expect(p.hostAllowed("tun.example:443")).toBe(true);
    expect(p.hostAllowed("box.example:8443")).toBe(true);
    expect(p.hostAllowed("box.example")).toBe(false);
    expect(p.hostAllowed("evil.tun.example")).toBe(false);
  });

  it("a specific bind address is served; Origin: null and foreign or non-web origins are refused", () => {
    expect(policy([], [], "10.1.2.3").hostAllowed("10.1.2.3:9999")).toBe(true);
    expect(policy().hostAllowed("10.1.2.3:9999")).toBe(false);
    const p = policy([], ["https://app.example"]);
    expect(p.origin("http://127.0.0.1:9999")).toBe("own");
    expect(p.origin("https://app.example")).toBe("listed");
    expect(p.origin("https://app.example:444")).toBe(false);
    expect(p.origin("null")).toBe(false);
    expect(p.origin("file://127.0.0.1:9999")).toBe(false);
    expect(p.origin("not a url")).toBe(false);
  });
});

describe("the /t/<token> prefix", () => {
  it("splits the token off (percent-decoded) and keeps the rest of the path and query", () => {
    expect(splitTokenPrefix("/t/abc/api/v1/sessions?limit=1")).toEqual({ token: "abc", rest: "/api/v1/sessions?limit=1" });
    expect(splitTokenPrefix("/t/abc")).toEqual({ token: "abc", rest: "/" });
    expect(splitTokenPrefix("/t/abc?x=1")).toEqual({ token: "abc", rest: "/?x=1" });
    expect(splitTokenPrefix("/t/a%2Fb%20c/health")).toEqual({ token: "a/b c", rest: "/health" });
    expect(splitTokenPrefix("/trpc/sessions.list")).toBeUndefined();
    expect(splitTokenPrefix("/api/v1/t/abc")).toBeUndefined();
  });

  it("redacts it in what is logged, and writes it encoded in the base URL", () => {
    expect(redactTokenPrefix("/t/s3cret/api/v1/sessions")).toBe("/t/[redacted]/api/v1/sessions");
    expect(redactTokenPrefix("/api/v1/sessions")).toBe("/api/v1/sessions");
    expect(tokenBaseUrl("http://10.0.0.2:9999", "a/b")).toBe("http://10.0.0.2:9999/t/a%2Fb");
  });
});
