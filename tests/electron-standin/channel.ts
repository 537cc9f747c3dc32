/**
 * The line between a shell's process and the test that launched it: Node's
 * IPC channel. The shell's side reports what happened (windows, dialogs,
 * openExternal calls, faults) and waits for the test to answer dialogs; the
 * test's side can run a function in the shell's process (see harness.ts).
 */

export type HostEvent =
  | { type: "event"; name: string; data: Record<string, unknown>; at?: number }
  | { type: "dialog"; id: number; options: Record<string, unknown> }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; message: string };

export type TestCommand =
  | { type: "evaluate"; id: number; source: string; arg: unknown }
  | { type: "answer-dialog"; id: number; response: number; checkboxChecked?: boolean };

const connected = typeof process.send === "function";

export function send(message: HostEvent): void {
  if (connected && process.connected) process.send!(message);
}

/** Tells the test that something happened; without a test (the benchmark's standalone run) it is only kept. */
export function record(name: string, data: Record<string, unknown> = {}): void {
  // When it happened in the shell's process: the test's clock reads the message later, after the IPC hop and its own event loop.
  send({ type: "event", name, data, at: Date.now() });
}

let nextDialog = 1;
const waitingDialogs = new Map<number, (answer: { response: number; checkboxChecked: boolean }) => void>();

/** A dialog waits, like a user, until the test answers it. */
export function askDialog(options: Record<string, unknown>): Promise<{ response: number; checkboxChecked: boolean }> {
  const id = nextDialog++;
  return new Promise((resolve) => {
    waitingDialogs.set(id, resolve);
    send({ type: "dialog", id, options });
  });
}

export function onCommand(evaluate: (source: string, arg: unknown) => Promise<unknown>): void {
  if (!connected) return;
  process.on("message", (message: TestCommand) => {
    if (message.type === "answer-dialog") {
      waitingDialogs.get(message.id)?.({ response: message.response, checkboxChecked: message.checkboxChecked ?? false });
      waitingDialogs.delete(message.id);
      return;
    }
    if (message.type === "evaluate") {
      evaluate(message.source, message.arg).then(
        (value) => send({ type: "reply", id: message.id, ok: true, value: value ?? null }),
        (error: Error) => send({ type: "reply", id: message.id, ok: false, message: error?.stack ?? String(error) }),
      );
    }
  });
}
