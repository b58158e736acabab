//! Quoting for every word the generator writes into a Dockerfile, its ignore file or a hint:
//! one place, so a crate in `Data Science/rust/pyext` or `it's "odd"/$HOME` builds.
//!
//! A Dockerfile is not one language, and each place a word goes has its own rules:
//!
//! - `RUN` in shell form is handed to `/bin/sh -c` as written (BuildKit expands no variables
//!   in it), so a word there is quoted for POSIX sh: [`sh_word`] (single quotes, `'\''` for a
//!   quote). The same quoting serves the `docker buildx build -f ...` hint in the header.
//! - `ARG NAME=value` and `ENV` go through BuildKit's own word processing (quotes removed, `$`
//!   expanded): [`dockerfile_value`] writes a double-quoted word with `\"`, `\$` and `\\`.
//! - `ENTRYPOINT ["..."]` (exec form) is JSON and expands nothing: [`json_string`].
//! - A `Dockerfile.dockerignore` line is a `filepath.Match` pattern: [`ignore_literal`]
//!   escapes `\`, `*`, `?` and `[`. Lines are trimmed, so a path that starts or ends with
//!   whitespace cannot be written at all; [`unwritable_path`] says why.
//! - A hint that shows a TOML setting (`bin = "..."`): [`toml_string`].
//!
//! Words made only of characters no parser treats specially come back unchanged, so the
//! output for ordinary paths does not change.

use std::borrow::Cow;

/// Characters that mean nothing to sh, BuildKit's word processing, or a JSON string.
fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | ':' | '@' | '%' | '+' | '=' | ',')
}

/// `word` as one POSIX sh word: unchanged when every character is plain, else in single quotes
/// (inside which sh treats nothing specially), each `'` written as `'\''`.
pub fn sh_word(word: &str) -> Cow<'_, str> {
    if !word.is_empty() && word.chars().all(is_plain) {
        return Cow::Borrowed(word);
    }
    Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
}

/// `value` as the value of a Dockerfile `ARG` or `ENV`: unchanged when plain, else in double
/// quotes with `\`, `"` and `$` escaped (BuildKit's lexer removes exactly these escapes inside
/// double quotes and keeps any other backslash).
pub fn dockerfile_value(value: &str) -> Cow<'_, str> {
    if !value.is_empty() && value.chars().all(is_plain) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Cow::Owned(out)
}

/// `value` as a JSON string, quotes included (for exec-form instructions).
pub fn json_string(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
}

/// `value` as a TOML basic string, quotes included (for hints that show a setting).
pub fn toml_string(value: &str) -> String {
    toml_edit::Value::from(value).to_string().trim().to_string()
}

/// A path as an ignore-file pattern that matches exactly that path: the pattern characters
/// `\`, `*`, `?`, `[` and `]`, and the regular-expression characters moby's `patternmatcher`
/// may pass through to Go's `regexp` (`^`, `$`, `(`, `)`, `|`, `{`, `}`, `+`), are escaped with
/// `\`, which makes the next character literal in both (`.` is escaped by moby itself).
pub fn ignore_literal(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(
            c,
            '\\' | '*' | '?' | '[' | ']' | '^' | '$' | '(' | ')' | '|' | '{' | '}' | '+'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Why `path` cannot appear in a generated file, if it cannot: a line break or other control
/// character ends a Dockerfile line or an ignore-file line, and an ignore-file line is trimmed,
/// so leading or trailing whitespace would be lost.
pub fn unwritable_path(path: &str) -> Option<&'static str> {
    if path.chars().any(char::is_control) {
        Some("it contains a line break or another control character")
    } else if path.starts_with(char::is_whitespace) || path.ends_with(char::is_whitespace) {
        Some("it starts or ends with whitespace, which Docker's ignore file trims from every line")
    } else {
        None
    }
}

/// A Docker image name for the `-t` of the header's build hint: a package name lowercased,
/// other characters than `[a-z0-9._-]` replaced with `-`, separators trimmed from both ends
/// (Docker refuses upper case, and a name that starts or ends with a separator).
pub fn image_tag(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = mapped.trim_matches(|c| matches!(c, '.' | '_' | '-'));
    if trimmed.is_empty() {
        "image".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_are_unchanged() {
        for w in [
            "login/rust/login_server/Dockerfile",
            "python3.12",
            "a-b_c",
            "/usr/local",
        ] {
            assert_eq!(sh_word(w), w);
            assert_eq!(dockerfile_value(w), w);
        }
    }

    #[test]
    fn sh_word_quotes_everything_else() {
        assert_eq!(sh_word(""), "''");
        assert_eq!(sh_word("Data Science/x"), "'Data Science/x'");
        assert_eq!(sh_word("it's"), r"'it'\''s'");
        assert_eq!(sh_word("$HOME"), "'$HOME'");
        assert_eq!(sh_word("a\\b"), "'a\\b'");
        assert_eq!(sh_word("ünï"), "'ünï'");
    }

    #[test]
    fn dockerfile_value_escapes_what_buildkit_unescapes() {
        assert_eq!(dockerfile_value("a b"), "\"a b\"");
        assert_eq!(dockerfile_value(r#"a"$\b"#), r#""a\"\$\\b""#);
    }

    #[test]
    fn json_and_toml_strings() {
        assert_eq!(json_string(r#"a"b\c"#), r#""a\"b\\c""#);
        for v in ["tool", r#"a"b\c"#, "it's", "é\n"] {
            let t: toml::Table = toml::from_str(&format!("k = {}", toml_string(v))).unwrap();
            assert_eq!(t["k"].as_str(), Some(v));
        }
        assert_eq!(toml_string("tool"), "\"tool\"");
    }

    #[test]
    fn ignore_literal_escapes_pattern_characters() {
        assert_eq!(ignore_literal("a b/[x]*?\\y"), "a b/\\[x\\]\\*\\?\\\\y");
        assert_eq!(ignore_literal("$HOME/^a+"), "\\$HOME/\\^a\\+");
        assert_eq!(ignore_literal("Data Science/rust"), "Data Science/rust");
    }

    #[test]
    fn unwritable_paths() {
        assert!(unwritable_path("a\nb").is_some());
        assert!(unwritable_path("a ").is_some());
        assert!(unwritable_path(" a").is_some());
        assert!(unwritable_path("a b/'c'/$d/é").is_none());
    }

    #[test]
    fn image_tags_are_what_docker_accepts() {
        assert_eq!(image_tag("login_server"), "login_server");
        assert_eq!(image_tag("Login-Server"), "login-server");
        assert_eq!(image_tag("_x_"), "x");
        assert_eq!(image_tag("ünï"), "n");
        assert_eq!(image_tag("éé"), "image");
    }
}
