/* global require */
const { contextBridge, ipcRenderer } = require("electron");

contextBridge.exposeInMainWorld("fixture", { echo: (value) => ipcRenderer.invoke("fixture:echo", value), nested: { answer: 42 } });
