/**
 * Checks a Tauri bundle against its .sig and the app's public key, offline,
 * the way tauri-plugin-updater does before it installs anything.
 *
 *   npx tsx experiments/tauri/scripts/verify-signature.ts <bundle> [<bundle>.sig] [<public key>]
 *
 * The public key defaults to plugins.updater.pubkey in src-tauri/tauri.conf.json;
 * give a file holding the key (as `tauri signer generate` writes it) to use another.
 * Both the key and the .sig are base64 of minisign's text formats, so
 * `minisign -V` accepts them once decoded (see docs/reference/releases-and-updates.md).
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const configFile = fileURLToPath(new URL("../src-tauri/tauri.conf.json", import.meta.url));

/** The lines of a base64-wrapped minisign file (Tauri's .sig and .pub files). */
function minisignLines(base64: string, what: string): string[] {
  const text = Buffer.from(base64.trim(), "base64").toString("utf8");
  if (!text.startsWith("untrusted comment:")) throw new Error(`${what} is not a Tauri/minisign ${what} (base64 of minisign's text).`);
  return text.split(/\r?\n/);
}

export function readPublicKey(base64: string): { keyId: Buffer; key: Buffer } {
  const raw = Buffer.from(minisignLines(base64, "public key")[1] ?? "", "base64");
  if (raw.length !== 42 || raw.subarray(0, 2).toString() !== "Ed") throw new Error("The public key is not an Ed25519 minisign key.");
  return { keyId: raw.subarray(2, 10), key: raw.subarray(10) };
}

/** Resolves when the bundle matches its signature under the key; rejects with what is wrong otherwise. */
export async function verifyBundle(bundle: string, signatureBase64: string, publicKeyBase64: string): Promise<{ trustedComment: string }> {
  const [, signatureLine, trustedLine, globalLine] = minisignLines(signatureBase64, "signature");
  const signature = Buffer.from(signatureLine ?? "", "base64");
  const algorithm = signature.subarray(0, 2).toString();
  if (signature.length !== 74 || (algorithm !== "ED" && algorithm !== "Ed")) throw new Error("The .sig file is damaged: no Ed25519 signature in it.");
  const publicKey = readPublicKey(publicKeyBase64);
  if (!signature.subarray(2, 10).equals(publicKey.keyId)) {
    throw new Error(
      `The bundle was signed with another key (key id ${signature.subarray(2, 10).toString("hex").toUpperCase()}, this key is ${publicKey.keyId.toString("hex").toUpperCase()}).`,
    );
  }
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey.key.toString("base64url") }, format: "jwk" });
  // "ED": the signature covers the BLAKE2b-512 hash of the file (minisign's prehashed mode, which Tauri uses).
  const message = algorithm === "ED" ? await blake2b(bundle) : readFileSync(bundle);
  if (!verify(null, message, key, signature.subarray(10))) {
    throw new Error(`${path.basename(bundle)} does not match its signature: it was changed or damaged after signing. Do not install it.`);
  }
  const trustedComment = (trustedLine ?? "").replace(/^trusted comment: /, "");
  if (!verify(null, Buffer.concat([signature.subarray(10), Buffer.from(trustedComment)]), key, Buffer.from(globalLine ?? "", "base64"))) {
    throw new Error("The .sig file's trusted comment was changed after signing.");
  }
  return { trustedComment };
}

function blake2b(file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const hash = createHash("blake2b512");
    createReadStream(file)
      .on("error", reject)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest()));
  });
}

function readKeyArgument(argument: string | undefined): string {
  if (argument === undefined) {
    const config = JSON.parse(readFileSync(configFile, "utf8")) as { plugins?: { updater?: { pubkey?: string } } };
    const key = config.plugins?.updater?.pubkey;
    if (!key) throw new Error(`No plugins.updater.pubkey in ${configFile}: give the public key file as the third argument.`);
    return key;
  }
  return existsSync(argument) ? readFileSync(argument, "utf8") : argument;
}

async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args.includes("--help")) {
    console.log("Usage: npx tsx experiments/tauri/scripts/verify-signature.ts <bundle> [<bundle>.sig] [<public key file or text>]");
    return args.length === 0 ? 2 : 0;
  }
  const [bundle, sig = `${bundle}.sig`, key] = args as [string, string?, string?];
  try {
    for (const file of [bundle, sig]) if (!existsSync(file)) throw new Error(`${file} does not exist.`);
    const { trustedComment } = await verifyBundle(bundle, readFileSync(sig, "utf8"), readKeyArgument(key));
    console.log(`OK: ${path.basename(bundle)} matches its signature (${trustedComment}).`);
    return 0;
  } catch (error) {
    console.error(`Refused: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
