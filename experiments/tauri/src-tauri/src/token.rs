//! The per-session secret and the bootstrap URL that carries it into the window.
//!
//! Tauri's web view cannot add a header to the requests of one origin, as
//! Electron's session can, so the window starts at Django's bootstrap URL:
//! Django checks the token, sets an HttpOnly SameSite=Strict cookie and
//! redirects to `next`, leaving the token out of the address bar and history.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use tauri::Url;

/// The header the shell itself sends (to `/health/`); the window sends the cookie instead.
pub const TOKEN_HEADER: &str = "X-Desktop-Django-Token";
const TOKEN_BYTES: usize = 32;

/// 32 random bytes from the operating system, base64url without padding (43 characters).
pub fn generate_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).expect("the operating system's random source is not available");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `http://127.0.0.1:<port>/desktop-auth/bootstrap/?token=<token>&next=<next>`
pub fn bootstrap_url(base: &Url, token: &str, next: &str) -> Url {
    let mut url = base.join("/desktop-auth/bootstrap/").expect("a path joins onto an http URL");
    url.query_pairs_mut().append_pair("token", token).append_pair("next", next);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_new_each_time() {
        let first = generate_token();
        assert_eq!(first.len(), 43);
        assert!(first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{first}");
        assert_ne!(first, generate_token());
    }

    #[test]
    fn bootstrap_url_stays_on_the_origin_and_encodes_its_query() {
        let base = Url::parse("http://127.0.0.1:8123/").unwrap();
        let url = bootstrap_url(&base, "a+b/c", "/ponies/?page=2");
        assert_eq!(url.origin(), base.origin());
        assert_eq!(url.path(), "/desktop-auth/bootstrap/");
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(query, [("token".into(), "a+b/c".into()), ("next".into(), "/ponies/?page=2".into())]);
        assert!(url.as_str().contains("token=a%2Bb%2Fc"), "{url}");
    }
}
