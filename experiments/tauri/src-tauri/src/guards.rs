//! What the main window may do: stay on Django's origin, send http(s) links to
//! other sites to the system browser, and open no other window. The same rules
//! as the Electron shell's guards.ts, kept free of Tauri so they test alone.

use tauri::Url;

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    OpenInBrowser,
    Deny,
}

/// Exactly the same scheme, host and port.
pub fn is_same_origin(url: &Url, origin: &Url) -> bool {
    url.origin() == origin.origin()
}

fn is_web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https")
}

/// A page load in the main window: Django's pages stay, other web pages go to the browser.
pub fn decide_navigation(url: &Url, origin: &Url) -> Decision {
    if is_same_origin(url, origin) {
        Decision::Allow
    } else if is_web(url) {
        Decision::OpenInBrowser
    } else {
        Decision::Deny
    }
}

/// `target="_blank"` or `window.open`: never a new app window.
pub fn decide_new_window(url: &Url, origin: &Url) -> Decision {
    if !is_same_origin(url, origin) && is_web(url) {
        Decision::OpenInBrowser
    } else {
        Decision::Deny
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn origin_means_scheme_host_and_port() {
        let origin = url("http://127.0.0.1:8123/");
        assert!(is_same_origin(&url("http://127.0.0.1:8123/ponies/?a=1"), &origin));
        assert!(!is_same_origin(&url("http://127.0.0.1:8124/"), &origin));
        assert!(!is_same_origin(&url("http://localhost:8123/"), &origin));
        assert!(!is_same_origin(&url("https://127.0.0.1:8123/"), &origin));
    }

    #[test]
    fn navigation_stays_on_django() {
        let origin = url("http://127.0.0.1:8123/");
        assert_eq!(decide_navigation(&url("http://127.0.0.1:8123/routines/"), &origin), Decision::Allow);
        assert_eq!(decide_navigation(&url("https://www.djangoproject.com/"), &origin), Decision::OpenInBrowser);
        assert_eq!(decide_navigation(&url("http://127.0.0.1:9999/"), &origin), Decision::OpenInBrowser);
        assert_eq!(decide_navigation(&url("file:///etc/passwd"), &origin), Decision::Deny);
        assert_eq!(decide_navigation(&url("javascript:alert(1)"), &origin), Decision::Deny);
    }

    #[test]
    fn no_new_windows() {
        let origin = url("http://127.0.0.1:8123/");
        assert_eq!(decide_new_window(&url("http://127.0.0.1:8123/ponies/"), &origin), Decision::Deny);
        assert_eq!(decide_new_window(&url("https://example.org/"), &origin), Decision::OpenInBrowser);
        assert_eq!(decide_new_window(&url("data:text/html,hi"), &origin), Decision::Deny);
    }
}
