/**
 * Waits until Django answers HTTP on its URL, whatever the status code.
 */
export async function waitUntilAnswering(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Django did not answer at ${url} within ${timeoutMs / 1000} s.`);
}
