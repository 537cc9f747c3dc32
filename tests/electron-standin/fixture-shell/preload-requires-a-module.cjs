/* global require */
// A sandboxed preload cannot load local modules: Electron fails this preload, and so must the stand-in.
const helper = require("./preload.cjs");
const { contextBridge } = require("electron");

contextBridge.exposeInMainWorld("fixture", { helper });
