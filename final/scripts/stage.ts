/**
 * `npm run stage`: builds <stage>/backend (src/project.ts's stageDir), the
 * backend bundle a packaged app ships (see stageBackend.ts for what is in it).
 * Its options are in USAGE below; `-- --help` prints them.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { npmRun } from "../src/paths";
import { stageBackend } from "./stageBackend";

const USAGE = `Usage: ${npmRun("stage")} -- [options]

  --python-archive <file>   stage from a local install_only archive (env DDS_PYTHON_ARCHIVE)
  --python-sha256 <hex>     verify that archive's SHA-256 (env DDS_PYTHON_ARCHIVE_SHA256)
  --wheelhouse <dir>        install Python dependencies from these wheels only (env DDS_WHEELHOUSE)
  --bundle-dir <dir>        stage somewhere else than <stage>/backend

Without options it downloads the pinned python-build-standalone runtime (cached in <stage>/cache).
<stage> is stageDir in src/project.ts. First it runs the project's frontend build (frontendBuild
there), then collects static files from the project's folder. In a git checkout the bundle
carries what git tracks; secrets, keys, databases, dumps and uploads never (scripts/projectFiles.ts).`;

function options() {
  try {
    return parseArgs({
      options: {
        "python-archive": { type: "string" },
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

stageBackend({
  pythonArchive: absolute(values["python-archive"] ?? process.env.DDS_PYTHON_ARCHIVE),
  pythonSha256: values["python-sha256"] ?? process.env.DDS_PYTHON_ARCHIVE_SHA256,
  wheelhouse: absolute(values.wheelhouse ?? process.env.DDS_WHEELHOUSE),
  bundleDir: absolute(values["bundle-dir"]),
}).catch((error: Error) => {
  console.error(`\nStaging failed: ${error.message}\n`);
  process.exit(1);
});
