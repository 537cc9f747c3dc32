/**
 * Readiness: Django is ready when GET /health/ answers 200. We poll it at a
 * short interval until an overall deadline, and give up at once if Django
 * exits while we wait.
 */
export interface HealthOptions {
  /** Overall deadline for the first 200, in milliseconds. */
  timeoutMs?: number;
  intervalMs?: number;
  headers?: Record<string, string>;
  /** Settles when the backend process exits; waiting stops there. */
  exited?: Promise<unknown>;
}

export class HealthTimeoutError extends Error {}
export class BackendExitedError extends Error {}

export async function waitForHealth(baseUrl: string, options: HealthOptions = {}): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 50, headers = {} } = options;
  const healthUrl = new URL("health/", baseUrl).href;
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void options.exited?.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new BackendExitedError("Django exited before it answered /health/.");
    try {
      const response = await fetch(healthUrl, { headers, signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new HealthTimeoutError(`Django did not answer ${healthUrl} with 200 within ${timeoutMs / 1000} s.`);
}
