/* global require, process, __dirname, URL, Response */
// A small shell for the stand-in's own tests: it uses the members the chapter
// shells do not (yet) use, the way a hardened shell would. FIXTURE_SITE is the
// test's web server; FIXTURE_PRELOAD picks the preload.
const path = require("node:path");
const { app, BrowserWindow, ipcMain, Menu, protocol, session, shell } = require("electron");

const site = process.env.FIXTURE_SITE;
protocol.registerSchemesAsPrivileged([{ scheme: "fixture", privileges: { standard: true, secure: true } }]);

app.on("web-contents-created", (_event, contents) => {
  contents.on("will-frame-navigate", (event) => {
    if (event.url.includes("/blocked-frame")) event.preventDefault();
  });
  contents.on("will-redirect", (event, url) => {
    if (new URL(url).pathname === "/forbidden-target") event.preventDefault();
  });
});

app.whenReady().then(async () => {
  protocol.handle("fixture", (request) => new Response(`<title>Splash for ${new URL(request.url).pathname}</title><h1>Splash</h1>`, { headers: { "content-type": "text/html" } }));
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === "clipboard-read"));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === "clipboard-read");
  session.defaultSession.webRequest.onBeforeSendHeaders({ urls: [`${site}headers/*`] }, (details, callback) => {
    callback(details.url.endsWith("/cancel") ? { cancel: true } : { requestHeaders: { ...details.requestHeaders, "X-Fixture": "yes" } });
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: "viewMenu" }, { label: "Tools", submenu: [{ label: "Open Site", click: () => void shell.openExternal(site) }] }]));
  ipcMain.handle("fixture:echo", (event, value) => ({ value, url: event.senderFrame.url }));

  const splash = new BrowserWindow({ show: false, webPreferences: { devTools: false } });
  await splash.loadURL("fixture://splash/index.html");
  const main = new BrowserWindow({ webPreferences: { preload: path.join(__dirname, process.env.FIXTURE_PRELOAD ?? "preload.cjs") } });
  main.webContents.setWindowOpenHandler(() => ({ action: "deny" }));
  await main.loadURL(site);
});
