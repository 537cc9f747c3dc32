import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { waitUntilAnswering } from "../src/readiness";
import { freePort } from "./helpers";

describe("waitUntilAnswering", () => {
  it("returns once something answers HTTP, whatever the status", async () => {
    const port = await freePort();
    const server = createServer((_request, response) => response.writeHead(503).end());
    setTimeout(() => server.listen(port, "127.0.0.1"), 300);
    await waitUntilAnswering(`http://127.0.0.1:${port}/`, 5000);
    server.close();
  });

  it("gives up with a clear message when nothing answers", async () => {
    const port = await freePort();
    await expect(waitUntilAnswering(`http://127.0.0.1:${port}/`, 500)).rejects.toThrow(`Django did not answer at http://127.0.0.1:${port}/ within 0.5 s.`);
  });
});
