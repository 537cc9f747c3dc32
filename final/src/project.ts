/**
 * The project facts: everything this shell knows about the Django project it
 * wraps and the app it becomes. Every other file in src/ and scripts/ reads the
 * project from here, so a project that copies this shell (`npm run wrap`)
 * changes this one file.
 *
 * Paths marked "from the shell" are relative to the shell's folder (the one
 * holding package.json); paths marked "in the project" are relative to
 * `djangoDir`, so they hold in the staged bundle too.
 */
export interface ProjectFacts {
  /** The app's name: window titles, dialogs, the per-user data folder and the installers. */
  productName: string;
  /** Reverse-DNS id for macOS and Windows; keep it stable across releases. */
  appId: string;
  /** Lower-case, no spaces: the Linux executable, installer file names and the packaged package.json name. */
  executableName: string;
  /** From the shell: the folder holding manage.py. */
  djangoDir: string;
  /** Django settings modules: the project's own settings stay as they are for its hosted deployment. */
  settings: { development: string; packaged: string };
  /** In the project: the runtime requirements the stage installs into the bundled Python. */
  requirements: string;
  /** In the project: the virtualenv that development runs Django with. */
  venv: string;
  /** In the project: where development keeps its database and logs (git-ignored). */
  devAppData: string;
  /** In the project: the self-contained HTML page shown while Django starts. */
  splash: string;
  /** From the shell: the square SVG the app icons are rendered from (`npm run icons`). */
  iconSource: string;
  /** From the shell: where `npm run stage` builds the bundle (`backend/`) and keeps its downloads (`cache/`). */
  stageDir: string;
  /**
   * How a command run from the repository root reaches this shell: `final` means
   * `npm run <script> -w final`; empty means the shell is its own npm package and
   * its scripts run inside its folder.
   */
  npmWorkspace: string;
  /**
   * In the project: the frontend build that writes static files collectstatic gathers
   * (npm + esbuild/rollup/vite/webpack/gulp). `npm run stage` runs each command, in
   * order, in `cwd` (relative to djangoDir) before collectstatic. None: `commands: []`.
   */
  frontendBuild: { cwd: string; commands: string[][] };
  /** The CPython minor version of the bundled runtime ("3.12", "3.13"); the stage picks the release asset for it. */
  pythonVersion: string;
}

const project: ProjectFacts = {
  productName: "Flying Stable",
  appId: "org.desktop-django-starter.flying-stable",
  executableName: "flying-stable",
  djangoDir: "../django",
  settings: {
    development: "desktop_django_starter.settings.dev",
    packaged: "desktop_django_starter.settings.packaged",
  },
  requirements: "requirements.txt",
  venv: ".venv",
  devAppData: ".dev-data",
  splash: "desktop_runtime/templates/desktop_runtime/splash.html",
  iconSource: "../assets/brand/pony.svg",
  stageDir: "../.stage",
  npmWorkspace: "final",
  frontendBuild: { cwd: ".", commands: [] },
  pythonVersion: "3.12",
};

export default project;
