//! The Tauri shell's lifecycle, top to bottom: start Django on a free port
//! with a fresh token while the one window opens on a local "starting" page,
//! wait for /health/, then send the window to the bootstrap URL (or show the
//! failure with the log's last lines), and stop Django and its worker whenever
//! the app exits. The logic lives in the modules below.

// No console window beside the app on Windows.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backend;
mod guards;
mod layout;
mod token;
mod updates;

use backend::{Running, StartError};
use guards::Decision;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use tauri::menu::{Menu, MenuItem, Submenu};
use tauri::webview::NewWindowResponse;
use tauri::{AppHandle, Manager, RunEvent, State, Url, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// What the shell keeps for the app's lifetime.
struct Shell {
    app_data_dir: PathBuf,
    /// Django's origin, once it serves: the one origin the window and the command trust.
    origin: Arc<OnceLock<Url>>,
    running: Mutex<Option<Running>>,
    quitting: AtomicBool,
}

/// What the window shows when Django cannot start or stops (ui/index.html reads it from the URL's fragment).
#[derive(Serialize)]
struct Failure {
    title: String,
    message: String,
    log_file: String,
    lines: Vec<String>,
}

// Django's pages see `window.desktop.openAppDataFolder()`, as in the Electron shell, and nothing else of Tauri.
const BRIDGE: &str = "Object.defineProperty(window, 'desktop', { value: Object.freeze({ \
    openAppDataFolder: () => window.__TAURI_INTERNALS__.invoke('open_app_data_folder') }) });";

fn main() {
    tauri::Builder::default()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .menu(app_menu)
        .on_menu_event(|app, event| {
            if event.id().as_ref() == CHECK_FOR_UPDATES {
                let app = app.clone();
                std::thread::spawn(move || check_for_updates(&app));
            }
        })
        .invoke_handler(tauri::generate_handler![open_app_data_folder])
        .setup(|app| {
            // Tauri's per-user data folder: the database, the secret key and logs/backend.log.
            let app_data_dir = app.path().app_data_dir()?;
            let origin = Arc::new(OnceLock::new());
            app.manage(Shell { app_data_dir, origin: origin.clone(), running: Mutex::new(None), quitting: AtomicBool::new(false) });
            // Python starts first, while the web view is being created; the window moves to Django once /health/ answers.
            let (window_tx, window_rx) = mpsc::channel();
            let handle = app.handle().clone();
            std::thread::spawn(move || start(&handle, window_rx));
            // The window opens at once on a local page, so the user sees the app start.
            let _ = window_tx.send(open_main_window(app.handle(), origin)?);
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("Tauri could not start: check tauri.conf.json")
        .run(|app, event| {
            // Every way out of the event loop (the window closed, a quit) passes here.
            if let RunEvent::Exit = event {
                stop_backend(app);
            }
        });
}

fn start(app: &AppHandle, window: mpsc::Receiver<WebviewWindow>) {
    let shell = app.state::<Shell>();
    // A new secret each launch; Django answers 403 to any request without it.
    let token = token::generate_token();
    let exe_dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(PathBuf::from));
    let repo_root = exe_dir.as_deref().and_then(layout::find_repo_root).or_else(|| std::env::current_dir().ok().as_deref().and_then(layout::find_repo_root));
    let staged = std::env::var(layout::LAYOUT_VARIABLE).as_deref() == Ok("staged");
    let started = layout::resolve_backend(app.path().resource_dir().ok().as_deref(), staged, repo_root.as_deref())
        .map_err(|message| StartError { message, recent_lines: vec![] })
        .and_then(|root| backend::start_app(&root, &shell.app_data_dir, &token));
    let Ok(window) = window.recv() else { return };
    let window = &window;

    let running = match started {
        Ok(running) => running,
        Err(error) => return show_failure(app, window, "Flying Stable could not start", error.message, error.recent_lines),
    };
    let origin = running.url.clone();
    let django = running.django.clone();
    let _ = shell.origin.set(origin.clone());
    *shell.running.lock().unwrap() = Some(running);
    if shell.quitting.load(Ordering::SeqCst) {
        return stop_backend(app);
    }
    // Django swaps the token for an HttpOnly cookie and redirects to `/`: the token leaves the address at once.
    if let Err(error) = window.navigate(token::bootstrap_url(&origin, &token, "/")) {
        eprintln!("Could not open Django's page: {error}");
        return app.exit(1);
    }

    // Django stopping on its own (a crash) leaves the window with nothing to show: stop the worker and say why.
    let code = django.wait();
    let still_running = shell.running.lock().unwrap().take();
    if let Some(running) = still_running {
        running.stop();
        let message = format!("Django stopped while the app was open (exit code {}). {}", code.map_or("none".into(), |c| c.to_string()), backend::exit_advice(code));
        show_failure(app, window, "Django stopped", message, django.recent_lines());
    }
}

/// The one app window. It may show the shell's local pages and Django's origin, nothing else.
fn open_main_window(app: &AppHandle, origin: Arc<OnceLock<Url>>) -> tauri::Result<WebviewWindow> {
    let new_window_origin = origin.clone();
    WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
        .title("Flying Stable (Tauri)")
        .inner_size(1100.0, 760.0)
        .min_inner_size(480.0, 360.0)
        .initialization_script(BRIDGE)
        .on_navigation(move |url| {
            if is_local_page(url) {
                return true;
            }
            match origin.get().map(|origin| guards::decide_navigation(url, origin)) {
                Some(Decision::Allow) => true,
                Some(Decision::OpenInBrowser) => open_in_browser(url),
                _ => false,
            }
        })
        .on_new_window(move |url, _features| {
            if new_window_origin.get().map(|origin| guards::decide_new_window(&url, origin)) == Some(Decision::OpenInBrowser) {
                open_in_browser(&url);
            }
            NewWindowResponse::Deny
        })
        .build()
}

/// The shell's own pages in ui/, served by Tauri from inside the executable.
fn is_local_page(url: &Url) -> bool {
    url.as_str().starts_with(local_page_base())
}

fn local_page_base() -> &'static str {
    if cfg!(windows) {
        "http://tauri.localhost/"
    } else {
        "tauri://localhost/"
    }
}

/// Hands a web link to the system browser; the app window itself never leaves Django.
fn open_in_browser(url: &Url) -> bool {
    if let Err(error) = open::that_detached(url.as_str()) {
        eprintln!("Could not open {url} in the browser: {error}");
    }
    false
}

/// Shows what failed, what to do, and the log's last lines in the window (ui/index.html), and prints it too.
fn show_failure(app: &AppHandle, window: &WebviewWindow, title: &str, message: String, lines: Vec<String>) {
    let shell = app.state::<Shell>();
    let failure = Failure { title: title.into(), message, log_file: backend::log_file(&shell.app_data_dir).display().to_string(), lines };
    eprintln!("{}: {}\nLog: {}\n{}", failure.title, failure.message, failure.log_file, failure.lines.join("\n"));
    let mut page = Url::parse(local_page_base()).and_then(|base| base.join("index.html")).expect("a fixed URL");
    page.query_pairs_mut().append_pair("failure", &serde_json::to_string(&failure).expect("strings serialize"));
    let _ = window.set_title(title);
    if let Err(error) = window.navigate(page) {
        eprintln!("Could not show the failure: {error}");
        app.exit(1);
    }
}

/// Stops the worker and Django once, whichever exit path comes first.
fn stop_backend(app: &AppHandle) {
    let shell = app.state::<Shell>();
    shell.quitting.store(true, Ordering::SeqCst);
    let running = shell.running.lock().unwrap().take();
    if let Some(running) = running {
        running.stop();
    }
}

const CHECK_FOR_UPDATES: &str = "check-for-updates";

/// The platform's usual menu, and Help > Check for Updates…
fn app_menu(app: &AppHandle) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::default(app)?;
    let check = MenuItem::with_id(app, CHECK_FOR_UPDATES, "Check for Updates…", true, None::<&str>)?;
    menu.append(&Submenu::with_items(app, "Help", true, &[&check])?)?;
    Ok(menu)
}

/// The menu item's conversation (updates.rs): a message, or Install / Later. Installing
/// downloads and verifies first, then stops Django and the worker, then hands over.
fn check_for_updates(app: &AppHandle) {
    let tell = |report: updates::Report, kind| {
        app.dialog().message(report.detail).title(report.title).kind(kind).blocking_show();
    };
    let checked = tauri::async_runtime::block_on(updates::check(app, updates::built_endpoint(), updates::RELEASE_BUILD));
    let update = match checked {
        updates::Checked::Told(report) => return tell(report, MessageDialogKind::Info),
        updates::Checked::Available(update) => update,
    };
    let question = updates::describe_update(&update);
    let install = app
        .dialog()
        .message(question.detail)
        .title(question.title)
        .buttons(MessageDialogButtons::OkCancelCustom("Install".into(), "Later".into()))
        .blocking_show();
    if !install {
        return;
    }
    let bytes = match tauri::async_runtime::block_on(updates::download_verified(&update)) {
        Ok(bytes) => bytes,
        Err(report) => return tell(report, MessageDialogKind::Error),
    };
    // The installer replaces files Python has open (and on Windows cannot while they are): Django and the worker stop first.
    stop_backend(app);
    match update.install(bytes) {
        Ok(()) => app.restart(),
        Err(error) => tell(
            updates::Report {
                title: "The update could not be installed.".into(),
                detail: format!("{error}. The app's server was stopped for the update: quit and start the app again, or install the new version from the releases page."),
            },
            MessageDialogKind::Error,
        ),
    }
}

/// Behind the page's "Open App Data Folder" button. Tauri's capability lets only the main
/// window on 127.0.0.1 call it; this also checks the exact origin, port included.
#[tauri::command]
fn open_app_data_folder(webview: tauri::Webview, shell: State<'_, Shell>) -> Result<String, String> {
    let page = webview.url().map_err(|error| error.to_string())?;
    if !shell.origin.get().is_some_and(|origin| guards::is_same_origin(&page, origin)) {
        return Err("Refused: the request did not come from the app's own pages.".into());
    }
    let folder = shell.app_data_dir.display().to_string();
    println!("open_app_data_folder: {folder}");
    open::that_detached(&folder).map_err(|error| format!("Could not open {folder}: {error}"))?;
    Ok(folder)
}
