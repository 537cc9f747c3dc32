import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { findFreePort } from "../src/port";

describe("findFreePort", () => {
  it("returns a port on 127.0.0.1 that can be bound right away", async () => {
    const port = await findFreePort();
    expect(port).toBeGreaterThan(1024);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
    server.close();
  });

  it("gives different ports on successive launches", async () => {
    const ports = new Set(await Promise.all([findFreePort(), findFreePort(), findFreePort()]));
    expect(ports.size).toBeGreaterThan(1);
  });
});
