/**
 * A tiny HTTP client for tests that talks to Django like a browser would:
 * it sends the token header, keeps cookies, and posts forms with their CSRF token.
 */
import { TOKEN_HEADER } from "../../src/token";

export class DjangoClient {
  private cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async get(path: string): Promise<Response> {
    return this.request(path, { method: "GET" });
  }

  async json<T>(path: string): Promise<T> {
    return (await (await this.get(path)).json()) as T;
  }

  /** GETs `formPage`, then POSTs `fields` to `action` with the page's CSRF token. */
  async submit(formPage: string, action: string, fields: Record<string, string> = {}): Promise<Response> {
    const html = await (await this.get(formPage)).text();
    const csrf = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html)?.[1];
    if (!csrf) throw new Error(`No CSRF token on ${formPage}`);
    return this.request(action, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfmiddlewaretoken: csrf, ...fields }).toString(),
    });
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(new URL(path, this.baseUrl), {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), [TOKEN_HEADER]: this.token, ...(cookie ? { Cookie: cookie } : {}) },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const [name, value] = pair!.split("=");
      if (name && value !== undefined) this.cookies.set(name.trim(), value);
    }
    return response;
  }
}

export interface RoutineStatus {
  id: number;
  status: "queued" | "running" | "succeeded" | "failed";
  attempts: number;
  result: string;
}

export async function routines(client: DjangoClient): Promise<RoutineStatus[]> {
  return (await client.json<{ routines: RoutineStatus[] }>("/routines/status/")).routines;
}

/** Polls the routines until `done` holds, as the page's own script does. */
export async function waitForRoutines(client: DjangoClient, done: (all: RoutineStatus[]) => boolean, limitMs = 30_000): Promise<RoutineStatus[]> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const all = await routines(client);
    if (done(all)) return all;
    if (Date.now() > deadline) throw new Error(`Routines did not get there within ${limitMs} ms: ${JSON.stringify(all)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const isFinal = (routine: RoutineStatus) => routine.status === "succeeded" || routine.status === "failed";
