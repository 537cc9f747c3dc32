//! Where the backend lives, and the runtime contract's environment for it.
//!
//! - development: Django from the repository, Python from django/.venv;
//! - staged (`DDS_BACKEND_LAYOUT=staged`): the bundle `npm run stage -w final` built in .stage/backend;
//! - packaged: the same bundle shipped as the app's `backend` resource.
//!
//! A bundle describes itself in manifest.json, as it does for the Electron shell.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The variable `npm run start:staged` sets, the same name the Electron shell reads.
pub const LAYOUT_VARIABLE: &str = "DDS_BACKEND_LAYOUT";
const DEV_SETTINGS: &str = "desktop_django_starter.settings.dev";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendRoot {
    pub layout: &'static str,
    pub python: PathBuf,
    pub manage_py: PathBuf,
    pub settings_module: String,
    /// The read-only bundle folder (DESKTOP_DJANGO_BUNDLE_DIR), for the staged and packaged layouts.
    pub bundle_dir: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    interpreter: String,
    manage_py: String,
    settings_module: String,
}

/// The folder above `start` that holds django/manage.py.
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| dir.join("django").join("manage.py").is_file()).map(Path::to_path_buf)
}

/// Picks the layout: a bundle in the app's resources, else the staged bundle when asked for, else development.
pub fn resolve_backend(resource_dir: Option<&Path>, staged: bool, repo_root: Option<&Path>) -> Result<BackendRoot, String> {
    if let Some(bundle) = resource_dir.map(|dir| dir.join("backend")).filter(|dir| dir.join("manifest.json").is_file()) {
        return read_bundle("packaged", &bundle, "Reinstall the app: its backend folder is damaged.");
    }
    let repo_root = repo_root.ok_or("Could not find django/manage.py above this program. Run the shell from inside the desktop-django-starter repository.")?;
    if staged {
        return read_bundle(
            "staged",
            &repo_root.join(".stage").join("backend"),
            "Run `npm run stage -w final` first (add --python-archive <file> to stage offline).",
        );
    }
    let venv = repo_root.join("django").join(".venv");
    let python = if cfg!(windows) { venv.join("Scripts").join("python.exe") } else { venv.join("bin").join("python") };
    if !python.is_file() {
        return Err(format!(
            "Django's virtualenv is missing ({}).\nRun `npm install` at the repository root, which creates it, or `npm run setup:python` to create it again.",
            python.display()
        ));
    }
    Ok(BackendRoot {
        layout: "development",
        python,
        manage_py: repo_root.join("django").join("manage.py"),
        settings_module: DEV_SETTINGS.into(),
        bundle_dir: None,
    })
}

fn read_bundle(layout: &'static str, bundle_dir: &Path, what_to_do: &str) -> Result<BackendRoot, String> {
    let manifest_file = bundle_dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_file)
        .map_err(|_| format!("The backend bundle is missing: {} does not exist.\n{what_to_do}", manifest_file.display()))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|error| format!("{} is not a valid manifest ({error}).\n{what_to_do}", manifest_file.display()))?;
    let python = bundle_dir.join(&manifest.interpreter);
    let manage_py = bundle_dir.join(&manifest.manage_py);
    for file in [&python, &manage_py] {
        if !file.is_file() {
            return Err(format!("The backend bundle in {} is incomplete: {} is missing.\n{what_to_do}", bundle_dir.display(), file.display()));
        }
    }
    Ok(BackendRoot { layout, python, manage_py, settings_module: manifest.settings_module, bundle_dir: Some(bundle_dir.to_path_buf()) })
}

/// The runtime contract's variables (runtime-contract.md), port and token included.
pub fn contract_env(root: &BackendRoot, app_data_dir: &Path, token: &str, port: u16) -> Vec<(String, String)> {
    let mut env = vec![
        ("DJANGO_SETTINGS_MODULE".to_string(), root.settings_module.clone()),
        ("DESKTOP_DJANGO_HOST".into(), "127.0.0.1".into()),
        ("DESKTOP_DJANGO_PORT".into(), port.to_string()),
        ("DESKTOP_DJANGO_AUTH_TOKEN".into(), token.into()),
        ("DESKTOP_DJANGO_APP_DATA_DIR".into(), app_data_dir.display().to_string()),
        ("PYTHONUNBUFFERED".into(), "1".into()),
    ];
    if let Some(bundle_dir) = &root.bundle_dir {
        env.push(("DESKTOP_DJANGO_BUNDLE_DIR".into(), bundle_dir.display().to_string()));
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dds-tauri-layout-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn finds_the_repository_from_a_folder_inside_it() {
        let repo = temp_dir("repo");
        fs::create_dir_all(repo.join("django")).unwrap();
        fs::write(repo.join("django").join("manage.py"), "").unwrap();
        let inside = repo.join("experiments").join("tauri").join("src-tauri").join("target").join("debug");
        fs::create_dir_all(&inside).unwrap();
        assert_eq!(find_repo_root(&inside), Some(repo.clone()));
        assert_eq!(find_repo_root(&std::env::temp_dir()), None);
    }

    #[test]
    fn development_needs_the_virtualenv_and_says_how_to_make_it() {
        let repo = temp_dir("novenv");
        let error = resolve_backend(None, false, Some(&repo)).unwrap_err();
        assert!(error.contains("npm install"), "{error}");
    }

    #[test]
    fn staged_layout_reads_the_manifest_and_says_how_to_stage() {
        let repo = temp_dir("staged");
        let error = resolve_backend(None, true, Some(&repo)).unwrap_err();
        assert!(error.contains("npm run stage -w final"), "{error}");

        let bundle = repo.join(".stage").join("backend");
        fs::create_dir_all(bundle.join("python").join("bin")).unwrap();
        fs::create_dir_all(bundle.join("django")).unwrap();
        fs::write(bundle.join("python").join("bin").join("python3"), "").unwrap();
        fs::write(bundle.join("django").join("manage.py"), "").unwrap();
        fs::write(
            bundle.join("manifest.json"),
            r#"{"interpreter": "python/bin/python3", "managePy": "django/manage.py", "settingsModule": "x.settings.packaged", "digest": "ignored"}"#,
        )
        .unwrap();
        let root = resolve_backend(None, true, Some(&repo)).unwrap();
        assert_eq!(root.layout, "staged");
        assert_eq!(root.python, bundle.join("python").join("bin").join("python3"));
        assert_eq!(root.settings_module, "x.settings.packaged");

        let env = contract_env(&root, Path::new("/data"), "secret", 8123);
        let get = |name: &str| env.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
        assert_eq!(get("DESKTOP_DJANGO_BUNDLE_DIR"), Some(bundle.to_str().unwrap()));
        assert_eq!(get("DESKTOP_DJANGO_HOST"), Some("127.0.0.1"));
        assert_eq!(get("DESKTOP_DJANGO_PORT"), Some("8123"));
        assert_eq!(get("DESKTOP_DJANGO_AUTH_TOKEN"), Some("secret"));
        assert_eq!(get("DESKTOP_DJANGO_APP_DATA_DIR"), Some("/data"));
        assert_eq!(get("DJANGO_SETTINGS_MODULE"), Some("x.settings.packaged"));
    }

    #[test]
    fn a_bundle_in_the_resources_wins() {
        let resources = temp_dir("resources");
        let error = resolve_backend(Some(&resources), false, None).unwrap_err();
        assert!(error.contains("django/manage.py"), "without a bundle it looks for the repository: {error}");
        fs::create_dir_all(resources.join("backend")).unwrap();
        fs::write(resources.join("backend").join("manifest.json"), "{}").unwrap();
        let error = resolve_backend(Some(&resources), false, None).unwrap_err();
        assert!(error.contains("Reinstall"), "{error}");
    }
}
