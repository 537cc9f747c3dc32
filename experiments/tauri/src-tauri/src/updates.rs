//! "Help > Check for Updates…": tauri-plugin-updater against the endpoint chosen
//! at build time, and what each outcome tells the user.
//!
//! The endpoint is `DDS_TAURI_UPDATE_URL` when the shell is compiled (the release
//! job sets it to the release's `latest.json`); without it the check says updates
//! are not configured. The public key is `plugins.updater.pubkey` in
//! tauri.conf.json: a download is installed only if its `.sig` verifies with it.
//! Release builds accept only https endpoints; a debug build (the tests) may use
//! plain http on 127.0.0.1 alone.

use tauri::{AppHandle, Runtime, Url};
use tauri_plugin_updater::{Error, Update, UpdaterExt};

/// Set at build time: `DDS_TAURI_UPDATE_URL=https://…/latest.json npm run build:release`.
pub const ENDPOINT_VARIABLE: &str = "DDS_TAURI_UPDATE_URL";

/// The endpoint compiled into this build, if any.
pub fn built_endpoint() -> Option<&'static str> {
    option_env!("DDS_TAURI_UPDATE_URL")
}

/// A release build must not fetch its update description over plain http.
pub const RELEASE_BUILD: bool = !cfg!(debug_assertions);

/// What the user reads: a dialog's title and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub detail: String,
}

impl Report {
    fn new(title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { title: title.into(), detail: detail.into() }
    }
}

/// The outcome of "Check for Updates…".
pub enum Checked {
    /// A newer version whose description the server gave; Install downloads and verifies it.
    Available(Box<Update>),
    /// Up to date, not configured, or the check failed: a message and nothing to do.
    Told(Report),
}

/// The endpoint to use: None when the build has none; an error when it is not one a build of this kind may use.
pub fn endpoint_url(value: Option<&str>, release: bool) -> Result<Option<Url>, Report> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else { return Ok(None) };
    let refuse = |why: &str| {
        Report::new(
            "Updates are not configured correctly.",
            format!("This build's update address ({ENDPOINT_VARIABLE}={value}) {why}. Download the new version from the releases page instead."),
        )
    };
    let url = Url::parse(value).map_err(|_| refuse("is not a URL"))?;
    let loopback_http = url.scheme() == "http" && url.host_str() == Some("127.0.0.1");
    if url.scheme() == "https" || (loopback_http && !release) {
        Ok(Some(url))
    } else {
        Err(refuse("must start with https://"))
    }
}

/// Asks the endpoint for its latest.json and compares its version with this app's.
pub async fn check<R: Runtime>(app: &AppHandle<R>, endpoint: Option<&str>, release: bool) -> Checked {
    let current = app.package_info().version.to_string();
    let url = match endpoint_url(endpoint, release) {
        Ok(Some(url)) => url,
        Ok(None) => {
            return Checked::Told(Report::new(
                "Updates are not configured.",
                format!("This build was made without an update address ({ENDPOINT_VARIABLE}). You have version {current}; new versions are on the releases page."),
            ))
        }
        Err(report) => return Checked::Told(report),
    };
    let checked = match app.updater_builder().endpoints(vec![url.clone()]) {
        Ok(builder) => match builder.timeout(std::time::Duration::from_secs(30)).build() {
            Ok(updater) => updater.check().await,
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    match checked {
        Ok(Some(update)) => Checked::Available(Box::new(update)),
        Ok(None) => Checked::Told(Report::new(
            format!("{} {current} is up to date.", app.package_info().name),
            "There is no newer version at the update address.",
        )),
        Err(error) => Checked::Told(explain(&error, &url)),
    }
}

/// The question the Install / Later dialog asks.
pub fn describe_update(update: &Update) -> Report {
    let notes = update.body.as_deref().map(str::trim).filter(|notes| !notes.is_empty()).unwrap_or("No release notes.");
    Report::new(
        format!("Version {} is available (you have {}).", update.version, update.current_version),
        format!("{notes}\n\nInstall stops the app's server, replaces the app and starts it again. Your data stays where it is."),
    )
}

/// Downloads the new version and verifies its signature with this app's public key.
pub async fn download_verified(update: &Update) -> Result<Vec<u8>, Report> {
    update.download(|_, _| {}, || {}).await.map_err(|error| explain(&error, &update.download_url))
}

/// One readable message for each way a check or a download fails; never a stack trace.
pub fn explain(error: &Error, url: &Url) -> Report {
    match error {
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) | Error::SignedVersionMismatch { .. } | Error::MissingSignedVersion => Report::new(
            "The update was refused: its signature does not verify.",
            format!(
                "The file at {url} is not the one the app's publisher signed (it was changed, damaged, or signed with another key), so it was not installed. Nothing on this computer changed. Try again later, or download the new version from the releases page."
            ),
        ),
        Error::Reqwest(_) | Error::Network(_) | Error::ReleaseNotFound => Report::new(
            "Could not reach the update server.",
            format!("{url} did not answer with an update description ({}). Check the internet connection and try again later.", one_line(error)),
        ),
        other => Report::new("Could not check for updates.", format!("{} ({url})", one_line(other))),
    }
}

/// An error and its causes on one line.
fn one_line(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    //! The real plugin in a mock Tauri app, the same `check` the menu item runs,
    //! a key pair made by `tauri signer generate`, and a loopback HTTP server.
    use super::*;
    use std::collections::HashMap;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::sync::{Arc, Mutex};

    #[test]
    fn no_endpoint_means_not_configured_and_release_builds_take_https_only() {
        assert_eq!(endpoint_url(None, true), Ok(None));
        assert_eq!(endpoint_url(Some("  "), true), Ok(None));
        assert!(endpoint_url(Some("https://example.org/latest.json"), true).unwrap().is_some());
        let refused = endpoint_url(Some("http://127.0.0.1:8000/latest.json"), true).unwrap_err();
        assert!(refused.detail.contains("must start with https://"), "{refused:?}");
        assert!(endpoint_url(Some("http://127.0.0.1:8000/latest.json"), false).unwrap().is_some(), "a debug build may test on loopback");
        assert!(endpoint_url(Some("http://example.org/latest.json"), false).is_err(), "plain http elsewhere never");
        assert!(endpoint_url(Some("not a url"), false).is_err());
    }

    #[test]
    fn the_config_has_the_public_key_and_no_insecure_transport() {
        let config: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let updater = &config["plugins"]["updater"];
        assert!(updater["pubkey"].as_str().is_some_and(|key| key.len() > 40), "plugins.updater.pubkey is the release key");
        assert!(updater.get("dangerousInsecureTransportProtocol").is_none(), "release builds must refuse plain http");
        assert!(updater.get("endpoints").is_none(), "the endpoint comes from {ENDPOINT_VARIABLE} at build time");
        assert!(config["bundle"].get("createUpdaterArtifacts").is_none(), "signing is asked for only where the key is (tauri.updater.conf.json)");
        let signing: serde_json::Value = serde_json::from_str(include_str!("../tauri.updater.conf.json")).unwrap();
        assert_eq!(signing["bundle"]["createUpdaterArtifacts"], true, "the release job's signed build writes .sig files");
        assert_eq!(config["version"], env!("CARGO_PKG_VERSION"), "desktop_serve --app-version is Cargo's version");
    }

    fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(3).unwrap().to_path_buf()
    }

    fn tauri_cli(args: &[&str], dir: &Path) -> String {
        let bin = repo_root().join("node_modules").join(".bin").join(if cfg!(windows) { "tauri.cmd" } else { "tauri" });
        assert!(bin.is_file(), "{} is missing: run npm ci at the repository root", bin.display());
        let output = Command::new(&bin).args(args).current_dir(dir).env("CI", "true").output().unwrap();
        assert!(output.status.success(), "tauri {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// A throwaway key pair: (public key as the config holds it, private key file).
    fn key_pair(dir: &Path) -> (String, PathBuf) {
        tauri_cli(&["signer", "generate", "--ci", "-p", "", "-w", "test.key"], dir);
        (std::fs::read_to_string(dir.join("test.key.pub")).unwrap().trim().to_string(), dir.join("test.key"))
    }

    fn sign(dir: &Path, key: &Path, file: &str) -> String {
        tauri_cli(&["signer", "sign", "-f", key.to_str().unwrap(), "-p", "", file], dir);
        std::fs::read_to_string(dir.join(format!("{file}.sig"))).unwrap().trim().to_string()
    }

    /// Serves fixed bodies by path on 127.0.0.1, one request per connection.
    fn serve(routes: Arc<Mutex<HashMap<String, Vec<u8>>>>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|read| read > 2) {
                    header.clear();
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let body = routes.lock().unwrap().get(&path).cloned();
                let mut stream = reader.into_inner();
                let (status, body) = body.map_or(("404 Not Found", b"not here".to_vec()), |body| ("200 OK", body));
                let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(&body);
            }
        });
        port
    }

    fn latest_json(version: &str, url: &str, signature: &str) -> Vec<u8> {
        let target = tauri_plugin_updater::target().expect("a platform the updater knows");
        serde_json::to_vec(&serde_json::json!({
            "version": version,
            "notes": "Ponies can fly backwards now.",
            "pub_date": "2026-12-06T12:00:00Z",
            "platforms": { target: { "url": url, "signature": signature } }
        }))
        .unwrap()
    }

    fn mock_app(pubkey: &str) -> tauri::App<tauri::test::MockRuntime> {
        let mut context = tauri::test::mock_context(tauri::test::noop_assets());
        context.config_mut().plugins.0.insert("updater".into(), serde_json::json!({ "pubkey": pubkey }));
        tauri::test::mock_builder().plugin(tauri_plugin_updater::Builder::new().build()).build(context).unwrap()
    }

    fn told(checked: Checked) -> Report {
        match checked {
            Checked::Told(report) => report,
            Checked::Available(update) => panic!("expected a message, got update {}", update.version),
        }
    }

    #[test]
    fn updater_checks_a_signed_latest_json_from_a_loopback_server() {
        let dir = std::env::temp_dir().join(format!("dds-tauri-updater-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (pubkey, key) = key_pair(&dir);
        let payload = b"the next version of the app, as the bundler would have packed it".to_vec();
        std::fs::write(dir.join("payload.tar.gz"), &payload).unwrap();
        let signature = sign(&dir, &key, "payload.tar.gz");

        let routes = Arc::new(Mutex::new(HashMap::new()));
        let port = serve(routes.clone());
        let base = format!("http://127.0.0.1:{port}");
        let endpoint = format!("{base}/latest.json");
        let app = mock_app(&pubkey);
        let handle = app.handle();
        let check_now = || tauri::async_runtime::block_on(check(handle, Some(&endpoint), false));

        // A newer version, signed: found, with its notes, and its download verifies.
        routes.lock().unwrap().insert("/payload.tar.gz".into(), payload.clone());
        routes.lock().unwrap().insert("/latest.json".into(), latest_json("0.2.0", &format!("{base}/payload.tar.gz"), &signature));
        let Checked::Available(update) = check_now() else { panic!("the update was not found") };
        let question = describe_update(&update);
        assert_eq!(question.title, "Version 0.2.0 is available (you have 0.1.0).");
        assert!(question.detail.starts_with("Ponies can fly backwards now."), "{question:?}");
        assert_eq!(tauri::async_runtime::block_on(download_verified(&update)), Ok(payload.clone()));

        // The same signature over a payload with one byte changed: refused.
        let mut tampered = payload.clone();
        tampered[10] ^= 1;
        routes.lock().unwrap().insert("/payload.tar.gz".into(), tampered);
        let Checked::Available(update) = check_now() else { panic!("the update was not found") };
        let refused = tauri::async_runtime::block_on(download_verified(&update)).unwrap_err();
        assert_eq!(refused.title, "The update was refused: its signature does not verify.");

        // Signed with another key: refused too.
        let other_dir = dir.join("other");
        std::fs::create_dir_all(&other_dir).unwrap();
        let (_, other_key) = key_pair(&other_dir);
        std::fs::write(other_dir.join("payload.tar.gz"), &payload).unwrap();
        let foreign = sign(&other_dir, &other_key, "payload.tar.gz");
        routes.lock().unwrap().insert("/payload.tar.gz".into(), payload.clone());
        routes.lock().unwrap().insert("/latest.json".into(), latest_json("0.2.0", &format!("{base}/payload.tar.gz"), &foreign));
        let Checked::Available(update) = check_now() else { panic!("the update was not found") };
        assert_eq!(tauri::async_runtime::block_on(download_verified(&update)).unwrap_err().title, refused.title);

        // A lower version: up to date.
        routes.lock().unwrap().insert("/latest.json".into(), latest_json("0.0.9", &format!("{base}/payload.tar.gz"), &signature));
        let report = told(check_now());
        assert_eq!(report.title, "test 0.1.0 is up to date.");

        // Nothing listens: could not reach, in words, no stack trace.
        let dead = format!("http://127.0.0.1:{}/latest.json", crate::backend::free_port().unwrap());
        let report = told(tauri::async_runtime::block_on(check(handle, Some(&dead), false)));
        assert_eq!(report.title, "Could not reach the update server.");
        assert!(report.detail.starts_with(&format!("{dead} did not answer")), "{report:?}");
        assert!(!report.detail.contains('\n') && !report.detail.contains("panicked") && !report.detail.contains(".rs:"), "{report:?}");

        // No endpoint in the build; a release build and plain http.
        assert_eq!(told(tauri::async_runtime::block_on(check(handle, None, true))).title, "Updates are not configured.");
        let report = told(tauri::async_runtime::block_on(check(handle, Some(&endpoint), true)));
        assert!(report.detail.contains("must start with https://"), "{report:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
