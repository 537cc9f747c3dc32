/**
 * The default VitePress theme plus the site's own pieces: the process-model
 * diagram and the chapter list of the home page, and the styles of the
 * rendered chapter diffs.
 */
import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import ChapterList from "./components/ChapterList.vue";
import ProcessModel from "./components/ProcessModel.vue";
import "./custom.css";

const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("ChapterList", ChapterList);
    app.component("ProcessModel", ProcessModel);
  },
};

export default theme;
