// TypeScript lint for every workspace; Python is linted by ruff (npm run lint runs both).
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/out/**", ".stage/**", ".cache/**", "docs/.vitepress/dist/**", "docs/.vitepress/cache/**", "django/**", "test-results/**", ".test-results/**", "experiments/tauri/src-tauri/target/**", "experiments/tauri/src-tauri/gen/**", "cli/template/**", "experiments/positron/.venv/**", "experiments/positron/build/**"],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The npx entry point is plain JavaScript that Node runs as it is.
    files: ["cli/bin/**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["**/*.cjs", "chapters/**/src/**/*.ts", "final/src/**/*.ts", "chapters/**/test/**/*.ts", "final/test/**/*.ts"],
    rules: {
      // The shells compile to CommonJS; require() is how the launcher asks for Electron's path.
      "@typescript-eslint/no-require-imports": "off",
    },
  },
);
