//! Starts Django (`manage.py desktop_serve`) and the worker it declares, and
//! stops them, with every process they started, on every exit path.
//!
//! Lifetime rule: each process's stdin is a pipe this shell holds open. The
//! Python side exits when it reads EOF, so if the shell dies in any way (even
//! SIGKILL) the operating system closes the pipe and the backend follows.

use crate::layout::{contract_env, BackendRoot};
use crate::token::TOKEN_HEADER;
use serde::Deserialize;
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tauri::Url;

const SERVING_PREFIX: &str = "DESKTOP_DJANGO_SERVING ";
const RECENT_LINES: usize = 40;
const PORT_ATTEMPTS: usize = 3;
/// How long a cold first start (migrations, seeding) may take before the shell gives up.
const START_DEADLINE: Duration = Duration::from_secs(60);
const STOP_GRACE: Duration = Duration::from_millis(1500);
/// desktop_serve's exit codes (docs/reference/runtime-contract.md).
const EXIT_BAD_ADDRESS: i32 = 2;
const EXIT_PORT_IN_USE: i32 = 10;
const EXIT_MIGRATION_FAILED: i32 = 11;
const EXIT_DATABASE_NEWER: i32 = 12;
const EXIT_DATABASE_CORRUPT: i32 = 13;
/// The shell's version (Cargo's, which tauri.conf.json repeats; updates.rs tests they agree).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What `desktop_serve` prints once it has bound its port.
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct ServingInfo {
    pub url: String,
    pub workers: Vec<String>,
}

pub fn parse_serving_line(line: &str) -> Option<ServingInfo> {
    serde_json::from_str(line.strip_prefix(SERVING_PREFIX)?).ok()
}

/// What an exit before serving means and what to do next (the same advice as the Electron shell's).
pub fn exit_advice(code: Option<i32>) -> &'static str {
    match code {
        None => "Something outside the app ended it.",
        Some(EXIT_BAD_ADDRESS) => "The shell gave it no valid address (DESKTOP_DJANGO_HOST, DESKTOP_DJANGO_PORT): a bug in the shell, not in the Django project.",
        Some(EXIT_PORT_IN_USE) => "Other programs took every port it tried before Django could bind it. Start the app again.",
        Some(EXIT_MIGRATION_FAILED) => "A database migration failed; its error is in the last lines. Starting again will not help until the migration or the database is fixed.",
        Some(EXIT_DATABASE_NEWER) => "A newer version of the app has used this database, and this older version cannot read what it changed. Install the newer version again; the database was left as it was.",
        Some(EXIT_DATABASE_CORRUPT) => "The database (app.sqlite3 in the app-data folder, named in the last lines) is damaged, and the app changed nothing in it. Quit, move the damaged file aside, and copy the newest backup from the app-data folder's backups folder in its place (named app.sqlite3); then start again. Without a backup, moving the file aside starts the app with an empty database.",
        Some(_) => "Python stopped with an error; the last lines show it, usually as a traceback ending in the exception.",
    }
}

/// Set on each worker's process to its command, so manage.py knows it is one before Django loads.
pub const WORKER_VARIABLE: &str = "DESKTOP_DJANGO_WORKER";

/// A port on 127.0.0.1 that nothing listens on right now; Django binds it a moment later.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// The exit status, once the process has ended: `Some(None)` means a signal ended it.
type ExitSlot = Arc<(Mutex<Option<Option<i32>>>, Condvar)>;

/// One supervised Python process: Django's server, or a worker.
pub struct ManagedProcess {
    pid: u32,
    stdin: Mutex<Option<ChildStdin>>,
    exit: ExitSlot,
    recent: Arc<Mutex<VecDeque<String>>>,
}

impl ManagedProcess {
    /// Runs `python manage.py <args>` with stdin as a pipe, every output line appended to `log_file`.
    pub fn start(root: &BackendRoot, args: &[&str], env: &[(String, String)], log_file: &Path, on_line: impl Fn(&str) + Send + Sync + 'static) -> std::io::Result<Self> {
        let mut command = Command::new(&root.python);
        command.arg(&root.manage_py).args(args).envs(env.iter().map(|(k, v)| (k, v)));
        // The folder holding manage.py, as with runserver: projects open files relative to it.
        if let Some(project_dir) = root.manage_py.parent() {
            command.current_dir(project_dir);
        }
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        // Its own process group, so stop() can end Django's autoreload child too.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        #[cfg(windows)]
        std::os::windows::process::CommandExt::creation_flags(&mut command, 0x0800_0000); // CREATE_NO_WINDOW
        std::fs::create_dir_all(log_file.parent().unwrap_or(Path::new(".")))?;
        let log = Arc::new(Mutex::new(OpenOptions::new().create(true).append(true).open(log_file)?));
        let mut child = command.spawn()?;

        let recent = Arc::new(Mutex::new(VecDeque::with_capacity(RECENT_LINES)));
        let on_line = Arc::new(on_line);
        let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("stdout is piped"));
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("stderr is piped"));
        for stream in [stdout, stderr] {
            let (log, recent, on_line) = (log.clone(), recent.clone(), on_line.clone());
            thread::spawn(move || record_lines(stream, &log, &recent, on_line.as_ref()));
        }

        let exit: ExitSlot = Arc::new((Mutex::new(None), Condvar::new()));
        let stdin = child.stdin.take();
        let pid = child.id();
        let slot = exit.clone();
        thread::spawn(move || {
            let code = child.wait().map(|status| status.code()).unwrap_or(None);
            *slot.0.lock().unwrap() = Some(code);
            slot.1.notify_all();
        });
        Ok(Self { pid, stdin: Mutex::new(stdin), exit, recent })
    }

    /// Waits up to `timeout` for the process to end; `None` if it still runs.
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Option<i32>> {
        let (lock, ended) = &*self.exit;
        let guard = ended.wait_timeout_while(lock.lock().unwrap(), timeout, |code| code.is_none()).unwrap().0;
        *guard
    }

    /// Blocks until the process ends.
    pub fn wait(&self) -> Option<i32> {
        let (lock, ended) = &*self.exit;
        let code = *ended.wait_while(lock.lock().unwrap(), |code| code.is_none()).unwrap();
        code.unwrap_or(None)
    }

    pub fn recent_lines(&self) -> Vec<String> {
        self.recent.lock().unwrap().iter().cloned().collect()
    }

    /// Closes stdin (the process exits by itself), then ends whatever is left of its tree.
    pub fn stop(&self) {
        drop(self.stdin.lock().unwrap().take());
        self.wait_timeout(STOP_GRACE);
        kill_tree(self.pid);
        self.wait();
    }
}

fn record_lines(stream: Box<dyn Read + Send>, log: &Mutex<File>, recent: &Mutex<VecDeque<String>>, on_line: &(dyn Fn(&str) + Send + Sync)) {
    for line in BufReader::new(stream).lines().map_while(Result::ok) {
        let _ = writeln!(log.lock().unwrap(), "{line}");
        let mut recent = recent.lock().unwrap();
        if recent.len() == RECENT_LINES {
            recent.pop_front();
        }
        recent.push_back(line.clone());
        drop(recent);
        on_line(&line);
    }
}

/// Ends a process and all its descendants: its process group on macOS and Linux, `taskkill /T` on Windows.
fn kill_tree(pid: u32) {
    #[cfg(unix)]
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
    #[cfg(windows)]
    let _ = Command::new("taskkill").args(["/pid", &pid.to_string(), "/T", "/F"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
}

/// A start that failed, with what the error window needs to explain it.
#[derive(Debug)]
pub struct StartError {
    pub message: String,
    pub recent_lines: Vec<String>,
}

/// Django serving and healthy, and the workers it declared.
pub struct Running {
    pub url: Url,
    pub django: Arc<ManagedProcess>,
    pub workers: Vec<ManagedProcess>,
}

impl Running {
    pub fn stop(&self) {
        for worker in &self.workers {
            worker.stop();
        }
        self.django.stop();
    }
}

/// Starts Django on a free port, waits for `/health/` with the token, then starts the declared workers.
pub fn start_app(root: &BackendRoot, app_data_dir: &Path, token: &str) -> Result<Running, StartError> {
    let log_file = log_file(app_data_dir);
    ensure_writable_folder(log_file.parent().unwrap_or(app_data_dir)).map_err(|message| StartError { message, recent_lines: vec![] })?;
    for attempt in 1..=PORT_ATTEMPTS {
        let port = free_port().map_err(|error| StartError { message: format!("No free port on 127.0.0.1: {error}"), recent_lines: vec![] })?;
        let env = contract_env(root, app_data_dir, token, port);
        let (serving_tx, serving) = mpsc::channel();
        // The app's version: a version new to this database backs it up before migrating (desktop_runtime/upgrade.py).
        let django = ManagedProcess::start(root, &["desktop_serve", "--app-version", APP_VERSION], &env, &log_file, move |line| {
            println!("[django] {line}");
            if let Some(info) = parse_serving_line(line) {
                let _ = serving_tx.send(info);
            }
        })
        .map_err(|error| StartError { message: format!("Could not start {}: {error}", root.python.display()), recent_lines: vec![] })?;

        let deadline = Instant::now() + START_DEADLINE;
        let info = loop {
            if let Ok(info) = serving.try_recv() {
                break Some(info);
            }
            if let Some(code) = django.wait_timeout(Duration::from_millis(50)) {
                if code == Some(EXIT_PORT_IN_USE) && attempt < PORT_ATTEMPTS {
                    break None;
                }
                let message = format!("Django exited with code {} before it started serving. {}", code.map_or("none".into(), |c| c.to_string()), exit_advice(code));
                return Err(StartError { message, recent_lines: django.recent_lines() });
            }
            if Instant::now() > deadline {
                let recent_lines = django.recent_lines();
                django.stop();
                return Err(StartError { message: format!("Django did not start serving within {} seconds.", START_DEADLINE.as_secs()), recent_lines });
            }
        };
        let Some(info) = info else { continue };

        let url = Url::parse(&info.url).expect("desktop_serve prints a valid URL");
        if let Err(message) = wait_for_health(&url, token, deadline, &django) {
            let recent_lines = django.recent_lines();
            django.stop();
            return Err(StartError { message, recent_lines });
        }
        let workers = info
            .workers
            .iter()
            .filter_map(|command| {
                // Named in its environment, the worker watches its stdin before Django loads (desktop_runtime/lifetime.py).
                let worker_env: Vec<(String, String)> = env.iter().cloned().chain([(WORKER_VARIABLE.to_string(), command.clone())]).collect();
                ManagedProcess::start(root, &[command.as_str()], &worker_env, &app_data_dir.join("logs").join("worker.log"), |line| println!("[worker] {line}"))
                    .inspect_err(|error| eprintln!("Could not start the worker {command}: {error}"))
                    .ok()
            })
            .collect();
        return Ok(Running { url, django: Arc::new(django), workers });
    }
    unreachable!("the last attempt returns")
}

/// Polls `/health/` with the token header until it answers 200, Django exits, or the deadline passes.
fn wait_for_health(url: &Url, token: &str, deadline: Instant, django: &ManagedProcess) -> Result<(), String> {
    let health = url.join("health/").expect("a path joins onto an http URL");
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(2))).http_status_as_error(false).build().into();
    loop {
        match agent.get(health.as_str()).header(TOKEN_HEADER, token).call() {
            Ok(response) if response.status() == 200 => return Ok(()),
            Ok(response) if response.status() == 403 => return Err("Django refused the shell's token (403 on /health/): the backend did not receive DESKTOP_DJANGO_AUTH_TOKEN.".into()),
            _ => {}
        }
        if let Some(code) = django.wait_timeout(Duration::from_millis(100)) {
            return Err(format!("Django exited with code {} before /health/ answered. {}", code.map_or("none".into(), |c| c.to_string()), exit_advice(code)));
        }
        if Instant::now() > deadline {
            return Err(format!("{health} did not answer in time."));
        }
    }
}

/// Creates `folder` and proves a file can be written in it; if not, says which folder and what to do (not "could not start python").
pub fn ensure_writable_folder(folder: &Path) -> Result<(), String> {
    let probe = folder.join(format!(".write-test-{}", std::process::id()));
    let written = std::fs::create_dir_all(folder).and_then(|()| File::create(&probe)).and_then(|_| std::fs::remove_file(&probe));
    written.map_err(|error| {
        format!(
            "The folder {} is not writable ({error}). The app keeps its data and logs there: give your user account write access to it (or free space on its disk), then start the app again.",
            folder.display()
        )
    })
}

/// The app-data log file, for the error window.
pub fn log_file(app_data_dir: &Path) -> PathBuf {
    app_data_dir.join("logs").join("backend.log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_serving_line() {
        let line = r#"DESKTOP_DJANGO_SERVING {"url": "http://127.0.0.1:8123/", "pid": 42, "workers": ["run_routines"]}"#;
        assert_eq!(parse_serving_line(line), Some(ServingInfo { url: "http://127.0.0.1:8123/".into(), workers: vec!["run_routines".into()] }));
        assert_eq!(parse_serving_line("Watching for file changes"), None);
        assert_eq!(parse_serving_line("DESKTOP_DJANGO_SERVING not json"), None);
    }

    #[test]
    fn each_exit_code_says_what_to_do() {
        assert!(exit_advice(Some(EXIT_PORT_IN_USE)).contains("Start the app again"));
        assert!(exit_advice(Some(EXIT_MIGRATION_FAILED)).contains("migration"));
        assert!(exit_advice(Some(EXIT_DATABASE_NEWER)).contains("Install the newer version again"));
        assert!(exit_advice(Some(EXIT_DATABASE_CORRUPT)).contains("backups folder"));
        assert!(exit_advice(Some(1)).contains("traceback"));
        assert!(exit_advice(None).contains("outside"));
    }

    /// The whole start against the real Django in django/.venv, then the stop: nothing of it may be left.
    #[test]
    fn starts_the_real_django_with_its_worker_and_stops_them_all() {
        let repo = crate::layout::find_repo_root(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("inside the repository");
        let root = crate::layout::resolve_backend(None, false, Some(&repo)).expect("django/.venv exists after npm install");
        let app_data_dir = std::env::temp_dir().join(format!("dds-tauri-backend-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&app_data_dir);
        let token = crate::token::generate_token();

        let running = start_app(&root, &app_data_dir, &token).unwrap_or_else(|error| panic!("{}\n{}", error.message, error.recent_lines.join("\n")));
        assert_eq!(running.url.host_str(), Some("127.0.0.1"));
        assert_eq!(running.workers.len(), 1, "the routines app declares one worker");
        let health = running.url.join("health/").unwrap();
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        assert_eq!(agent.get(health.as_str()).call().unwrap().status(), 403);
        assert_eq!(agent.get(health.as_str()).header(TOKEN_HEADER, &token).call().unwrap().status(), 200);
        assert!(std::fs::read_to_string(log_file(&app_data_dir)).unwrap().contains(SERVING_PREFIX.trim()));

        let groups: Vec<u32> = std::iter::once(running.django.pid).chain(running.workers.iter().map(|worker| worker.pid)).collect();
        running.stop();
        #[cfg(unix)]
        for group in groups {
            let alive = Command::new("kill").args(["-0", "--", &format!("-{group}")]).stderr(Stdio::null()).status().unwrap().success();
            assert!(!alive, "process group {group} is still running after stop()");
        }
        #[cfg(not(unix))]
        drop(groups);
        let _ = std::fs::remove_dir_all(&app_data_dir);
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_named_as_not_writable() {
        let file = std::env::temp_dir().join(format!("dds-tauri-not-a-folder-{}", std::process::id()));
        std::fs::write(&file, "a file, so nothing can be created inside it").unwrap();
        let message = ensure_writable_folder(&file.join("logs")).unwrap_err();
        assert!(message.starts_with(&format!("The folder {} is not writable (", file.join("logs").display())), "{message}");
        let _ = std::fs::remove_file(&file);
    }

    #[test]
    fn free_port_is_bindable_on_loopback() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind(("127.0.0.1", port)).unwrap();
    }
}
