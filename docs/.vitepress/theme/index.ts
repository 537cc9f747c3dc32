/**
 * The default VitePress theme plus the site's own pieces: the brand mark in
 * the nav bar and the hero, the process-model diagram and the chapter list of
 * the home page, the pinned runtime archives, and the styles of the rendered
 * chapter diffs.
 */
import { h } from "vue";
import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import BrandMark from "./components/BrandMark.vue";
import ChapterList from "./components/ChapterList.vue";
import ProcessModel from "./components/ProcessModel.vue";
import RuntimeArchives from "./components/RuntimeArchives.vue";
import "./custom.css";

const theme: Theme = {
  extends: DefaultTheme,
  Layout: () =>
    h(DefaultTheme.Layout, null, {
      "nav-bar-title-before": () => h(BrandMark, { size: "small" }),
      "home-hero-image": () => h(BrandMark, { size: "large" }),
    }),
  enhanceApp({ app }) {
    app.component("ChapterList", ChapterList);
    app.component("ProcessModel", ProcessModel);
    app.component("RuntimeArchives", RuntimeArchives);
  },
};

export default theme;
