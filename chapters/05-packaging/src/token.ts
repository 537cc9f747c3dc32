/**
 * The per-session token: a secret Django requires on every request, so web
 * pages in the user's browser and other users' programs cannot use the app's
 * localhost port. Programs the same user runs can: the token travels in
 * Django's environment, which they can read (/proc/<pid>/environ on Linux,
 * the process's memory anywhere), and nothing on a desktop keeps a user's
 * own programs out of another of their programs.
 *
 * The shell generates it, hands it to Django through the environment, and adds
 * it as a header only to requests for Django's exact origin.
 */
import { randomBytes } from "node:crypto";
import { isSameOrigin } from "./guards";

export const TOKEN_HEADER = "X-Desktop-Django-Token";

/** 32 random bytes, URL-safe base64: the contract's minimum. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The origin Django serves on, e.g. `http://127.0.0.1:51234`. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/** The URL filter for Electron's webRequest: only requests to Django's port reach the listener. */
export function requestFilterFor(origin: string): { urls: string[] } {
  return { urls: [`${origin}/*`] };
}

/**
 * The request headers to send: the token is added only when the request's
 * origin is exactly Django's. The URL filter narrows the listener; this check
 * is what guarantees no other origin ever sees the token.
 */
export function withToken(url: string, headers: Record<string, string>, origin: string, token: string): Record<string, string> {
  return isSameOrigin(url, origin) ? { ...headers, [TOKEN_HEADER]: token } : headers;
}
