/**
 * `npm run stage -w chapters/04-bundled-python`: builds .stage/backend, the
 * backend bundle a packaged app ships (see stageBackend.ts for what is in it).
 * Its options are in USAGE below; `-- --help` prints them.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { findRepoRoot } from "../src/paths";
import { buildLocalRuntimeArchive } from "./localRuntime";
import { LOCAL_PYTHON_OPTION } from "./runtimeArchive";
import { stageBackend } from "./stageBackend";

const USAGE = `Usage: npm run stage -w <workspace> -- [options]

  --python-archive <file>   stage from a local install_only archive (env DDS_PYTHON_ARCHIVE)
  --python-sha256 <hex>     verify that archive's SHA-256 (env DDS_PYTHON_ARCHIVE_SHA256)
  ${LOCAL_PYTHON_OPTION} [<version>|<python>]
                            offline development and tests on Linux, never for shipping: build the
                            archive from this machine's Python: pyenv's <version> (default the
                            oldest 3.12+ there), or the interpreter at <python>
  --wheelhouse <dir>        install Python dependencies from these wheels only (env DDS_WHEELHOUSE)
  --bundle-dir <dir>        stage somewhere else than .stage/backend

Without options it downloads the pinned python-build-standalone runtime (cached in .stage/cache).`;

/** The arguments, with an empty value after a bare --local-python (pyenv's oldest 3.12+): Node's parser knows no optional values. */
function withDefaultLocalPython(args: string[]): string[] {
  return args.flatMap((arg, index) => (arg === LOCAL_PYTHON_OPTION && (args[index + 1] === undefined || args[index + 1]!.startsWith("-")) ? [arg, ""] : [arg]));
}

function options() {
  try {
    return parseArgs({
      args: withDefaultLocalPython(process.argv.slice(2)),
      options: {
        "python-archive": { type: "string" },
        "local-python": { type: "string" },
        "python-sha256": { type: "string" },
        wheelhouse: { type: "string" },
        "bundle-dir": { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

// npm runs this script in the chapter folder; relative paths mean the folder the command was typed in.
const absolute = (file: string | undefined) => (file ? path.resolve(process.env.INIT_CWD ?? process.cwd(), file) : undefined);

/** --local-python: the archive built from this machine's Python (cached beside the downloads), said loudly to be for development only. */
async function localArchive(python: string): Promise<{ file: string; sha256: string }> {
  if (values["python-archive"]) throw new Error(`Pass either ${LOCAL_PYTHON_OPTION} or --python-archive, not both.`);
  const chosen = python.includes("/") || python.includes("\\") ? absolute(python) : python || undefined;
  console.log(
    `${LOCAL_PYTHON_OPTION}: the runtime archive is built from this machine's Python (${chosen ?? "pyenv's oldest 3.12+"}), for offline development and tests. ` +
      "Do not ship this bundle to users: package releases with the pinned python-build-standalone runtime.",
  );
  return buildLocalRuntimeArchive(path.join(findRepoRoot(), ".stage", "cache"), console.log, chosen);
}

async function stage(): Promise<void> {
  const local = values["local-python"] === undefined ? undefined : await localArchive(values["local-python"]);
  await stageBackend({
    repoRoot: findRepoRoot(),
    pythonArchive: local?.file ?? absolute(values["python-archive"] ?? process.env.DDS_PYTHON_ARCHIVE),
    pythonSha256: local?.sha256 ?? values["python-sha256"] ?? process.env.DDS_PYTHON_ARCHIVE_SHA256,
    wheelhouse: absolute(values.wheelhouse ?? process.env.DDS_WHEELHOUSE),
    bundleDir: absolute(values["bundle-dir"]),
  });
  if (local) console.log(`Staged from this machine's Python (${LOCAL_PYTHON_OPTION}): for development and tests, not for shipping.`);
}

stage().catch((error: Error) => {
  console.error(`\nStaging failed: ${error.message}\n`);
  process.exit(1);
});
