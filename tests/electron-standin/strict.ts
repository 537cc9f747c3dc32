/**
 * The stand-in implements only what the shells use. Everything it hands out
 * (the module, its objects, each window and webContents) is wrapped so that
 * reading a member it lacks throws, naming the member, and is reported to the
 * test, which fails even when the shell swallows the error.
 */

/** Reports a fault to the test that launched this process (set by host.ts). */
export let reportFault: (message: string) => void = (message) => console.error(message);

export function setFaultReporter(report: (message: string) => void): void {
  reportFault = report;
}

export class MissingMember extends Error {
  constructor(readonly member: string) {
    super(`The Electron stand-in does not implement ${member}. Add it to tests/electron-standin/ (real where possible), or the shell cannot be tested without Electron.`);
    this.name = "MissingMember";
  }
}

// Read by the language or by Node itself, never by a shell: answering `undefined` for them is what a plain object does.
const PASS_THROUGH = new Set(["then", "toJSON", "constructor", "inspect", "__esModule", "asymmetricMatch", "nodeType", "$$typeof"]);

export function missing(member: string): never {
  const error = new MissingMember(member);
  reportFault(error.message);
  throw error;
}

/** Wraps `target` so that reading a missing string-named member throws MissingMember(`${name}.${member}`). */
export function strict<T extends object>(target: T, name: string): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      if (typeof property === "symbol" || property in object || PASS_THROUGH.has(property)) return Reflect.get(object, property, receiver);
      return missing(`${name}.${property}`);
    },
  });
}
