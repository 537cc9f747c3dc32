/**
 * Readiness: Django is ready when GET /health/ answers 200. We poll it at a
 * short interval until an overall deadline, and give up at once if Django
 * exits while we wait, if it answers that it cannot load the project, or if
 * it redirects /health/ (to, say, a login page, whose 200 is not Django's).
 */
import http from "node:http";

export interface HealthOptions {
  /** Overall deadline for the first 200, in milliseconds. */
  timeoutMs?: number;
  intervalMs?: number;
  headers?: Record<string, string>;
  /** Settles when the backend process exits; waiting stops there. */
  exited?: Promise<unknown>;
  /**
   * Under `--reload`, Django serves its error page while the project cannot be loaded, and serves again once the fix
   * is saved. Given, a project error does not end the wait: this is called with it at each poll it lasts (every
   * half second, the deadline counted again), and the wait ends at the first 200 after the fix.
   */
  onProjectError?: (error: ProjectLoadError) => void;
}

/** How often /health/ is asked again while the project cannot be loaded: the fix is a person's edit, not a start. */
const PROJECT_ERROR_INTERVAL_MS = 500;

export class HealthTimeoutError extends Error {}
export class BackendExitedError extends Error {}
/** Under `--reload`, a project Django cannot load (a typo in settings, a model, the URLconf) answers /health/ with 503 and `{"status": "error"}`. */
export class ProjectLoadError extends Error {}
/** Something in front of desktop_runtime's view (a login middleware, an HTTPS redirect) sends /health/ elsewhere. */
export class HealthRedirectError extends Error {}

export async function waitForHealth(baseUrl: string, options: HealthOptions = {}): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, headers = {} } = options;
  const healthUrl = new URL("health/", baseUrl).href;
  let deadline = Date.now() + timeoutMs;
  let exited = false;
  void options.exited?.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new BackendExitedError("Django exited before it answered /health/.");
    let reason: string | undefined;
    let redirect: string | undefined;
    try {
      const answer = await get(healthUrl, headers, 2000);
      if (answer.status === 200) return;
      if (answer.status === 503) reason = projectError(JSON.parse(answer.body));
      if (answer.status >= 300 && answer.status < 400) redirect = `${answer.status}, a redirect to ${answer.location ?? "nowhere"}`;
    } catch {
      // Not listening yet.
    }
    if (reason) {
      const error = new ProjectLoadError(`Django cannot load the project: ${reason}. The last lines show where; fix it and start again.`);
      if (!options.onProjectError) throw error;
      options.onProjectError(error);
      deadline = Date.now() + timeoutMs;
      await new Promise((resolve) => setTimeout(resolve, PROJECT_ERROR_INTERVAL_MS));
      continue;
    }
    if (redirect) {
      throw new HealthRedirectError(
        `Django answered ${healthUrl} with ${redirect}. A middleware in front of desktop_runtime's /health/ view sends it elsewhere (a login middleware, an HTTPS redirect): /health/ must answer 200 itself, so exempt it there.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new HealthTimeoutError(`Django did not answer ${healthUrl} with 200 within ${timeoutMs / 1000} s.`);
}

/**
 * One GET that never follows a redirect. node:http, not fetch: fetch loads its
 * HTTP client (undici) on first use, about 25 ms that would sit on the path to
 * the first window, and the first poll usually is the one that gets the 200.
 */
function get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent: false, timeout: timeoutMs }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

function projectError(body: unknown): string | undefined {
  const { status, error } = (body ?? {}) as { status?: unknown; error?: unknown };
  return status === "error" && typeof error === "string" ? error : undefined;
}
