// Declares the app's one command to Tauri's permission system, so that only
// the capability in capabilities/ can allow it, and only for the main window
// showing Django's origin.
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["open_app_data_folder"])),
    )
    .expect("tauri-build failed: check tauri.conf.json and capabilities/");
}
