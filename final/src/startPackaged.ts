/**
 * `npm run start:packaged`: launches the shell exactly as `npm run dev` does,
 * but against the staged bundle in .stage/backend, which is what a packaged
 * app runs (see backendRoot.ts).
 */
import { LAYOUT_VARIABLE } from "./backendRoot";

process.env[LAYOUT_VARIABLE] = "staged";
require("./launch");
