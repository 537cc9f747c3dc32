/**
 * A free TCP port on 127.0.0.1, chosen by the operating system.
 *
 * Binding port 0 asks the OS for any free port; we read which one it gave and
 * release it for Django. Another program could take it in between, so the
 * caller retries when Django reports the port is in use.
 */
import { createServer } from "node:net";

export function findFreePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
