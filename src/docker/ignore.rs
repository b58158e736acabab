//! Docker's `.dockerignore` semantics, implemented faithfully so tests can build exactly the
//! context BuildKit would send.
//!
//! This follows moby's `patternmatcher` (`ignorefile.ReadAll` + `PatternMatcher`
//! `MatchesOrParentMatches`), which BuildKit uses for both `.dockerignore` and
//! `<Dockerfile>.dockerignore`:
//!
//! - a line starting with `#` (in column 0) is a comment; lines are trimmed; empty lines skip;
//! - a leading `!` re-includes; the rest is cleaned like Go's `filepath.Clean` (`./a` -> `a`,
//!   `a//b` -> `a/b`, `a/../b` -> `b`), and one leading `/` is dropped;
//! - patterns compile to an anchored regular expression: `*` is any run without `/`, `?` one
//!   character but `/`, `[...]` a character class, `**` any number of directories (also none),
//!   a trailing `**` anything; a pattern starting with `**` is a suffix match (`**/target`
//!   matches `target` and `a/b/target`), a pattern ending in `**` with no other wildcard is a
//!   prefix match;
//! - a path is excluded when the last pattern that matches the path *or one of its parent
//!   directories* is an exclusion (not a `!` pattern): last match wins.
//!
//! Known deviation: moby passes `\x` through to Go's regexp, so `\d` there is a digit class;
//! here every `\x` is the literal `x` (what `filepath.Match` means by it).

use std::fmt;

/// A parsed ignore file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFile {
    patterns: Vec<Pattern>,
}

/// A bad pattern (for example an unclosed `[`, or a lone `!`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub line: usize,
    pub pattern: String,
    pub reason: &'static str,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: bad pattern `{}`: {}",
            self.line, self.pattern, self.reason
        )
    }
}

impl std::error::Error for PatternError {}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// `!pattern`: a match re-includes.
    exclusion: bool,
    cleaned: String,
    kind: MatchKind,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchKind {
    Exact,
    Prefix,
    Suffix,
    Regexp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lit(char),
    /// `?`: one character that is not `/`.
    One,
    /// `*`: any run of characters without `/`.
    Star,
    /// `**` followed by more pattern: `(.*/)?`.
    AnyDirs,
    /// A trailing `**`: `.*`.
    Rest,
    /// `[...]` as Go's regexp reads it (it may match `/`).
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
    /// A bare `^`, which moby passes to the regexp as a start-of-text anchor.
    Start,
}

impl IgnoreFile {
    /// Parse an ignore file's text.
    pub fn parse(text: &str) -> Result<IgnoreFile, PatternError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut patterns = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw.starts_with('#') {
                continue;
            }
            let mut pattern = raw.trim();
            if pattern.is_empty() {
                continue;
            }
            let exclusion = pattern.starts_with('!');
            if exclusion {
                pattern = pattern[1..].trim();
            }
            let err = |reason| PatternError {
                line,
                pattern: raw.trim().to_string(),
                reason,
            };
            if pattern.is_empty() {
                return Err(err("illegal exclusion pattern: \"!\""));
            }
            let mut cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
            let (kind, tokens) = compile(&cleaned).map_err(err)?;
            patterns.push(Pattern {
                exclusion,
                cleaned,
                kind,
                tokens,
            });
        }
        Ok(IgnoreFile { patterns })
    }

    /// Whether the path (relative to the context root, `/`-separated) is left out of the
    /// context.
    pub fn is_excluded(&self, path: &str) -> bool {
        let file = clean(path);
        if file == "." {
            return false;
        }
        // The parent folders, shortest first, as prefixes of the path (`a`, `a/b` of `a/b/c`).
        let parents: Vec<&str> = file.match_indices('/').map(|(i, _)| &file[..i]).collect();
        let mut matched = false;
        for pattern in &self.patterns {
            // Same short cut as moby: a pattern cannot change the answer it would give.
            if pattern.exclusion != matched {
                continue;
            }
            let hit = pattern.matches(&file) || parents.iter().any(|p| pattern.matches(p));
            if hit {
                matched = !pattern.exclusion;
            }
        }
        matched
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match self.kind {
            MatchKind::Exact => path == self.cleaned,
            MatchKind::Prefix => path.starts_with(&self.cleaned[..self.cleaned.len() - 2]),
            MatchKind::Suffix => {
                let suffix = &self.cleaned[2..];
                path.ends_with(suffix) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            MatchKind::Regexp => {
                let chars: Vec<char> = path.chars().collect();
                match_tokens(&self.tokens, &chars, 0)
            }
        }
    }
}

/// Go's `filepath.Clean` on a `/` path.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// moby's `Pattern.compile`, producing tokens instead of a regexp string.
fn compile(pattern: &str) -> Result<(MatchKind, Vec<Token>), &'static str> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut kind = MatchKind::Exact;
    let mut i = 0;
    let mut step = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        match ch {
            '*' if chars.get(i) == Some(&'*') => {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == MatchKind::Exact {
                        kind = MatchKind::Prefix;
                    } else {
                        tokens.push(Token::Rest);
                        kind = MatchKind::Regexp;
                    }
                } else {
                    tokens.push(Token::AnyDirs);
                    kind = MatchKind::Regexp;
                }
                if step == 0 {
                    kind = MatchKind::Suffix;
                }
            }
            '*' => {
                tokens.push(Token::Star);
                kind = MatchKind::Regexp;
            }
            '?' => {
                tokens.push(Token::One);
                kind = MatchKind::Regexp;
            }
            '\\' => {
                if let Some(&next) = chars.get(i) {
                    i += 1;
                    tokens.push(Token::Lit(next));
                    kind = MatchKind::Regexp;
                } else {
                    tokens.push(Token::Lit('\\'));
                }
            }
            '[' => {
                let (class, next) = parse_class(&chars, i)?;
                tokens.push(class);
                i = next;
                kind = MatchKind::Regexp;
            }
            ']' => return Err("unmatched `]`"),
            '^' => tokens.push(Token::Start),
            other => tokens.push(Token::Lit(other)),
        }
        step += 1;
    }
    Ok((kind, tokens))
}

/// Parse a class body starting after `[`; returns the token and the index after `]`.
fn parse_class(chars: &[char], mut i: usize) -> Result<(Token, usize), &'static str> {
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("unclosed character class");
        };
        if c == ']' && !first {
            return Ok((Token::Class { negated, items }, i + 1));
        }
        first = false;
        let lo = if c == '\\' {
            i += 1;
            *chars.get(i).ok_or("unclosed character class")?
        } else {
            c
        };
        i += 1;
        if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|c| *c != ']') {
            let mut hi = chars[i + 1];
            i += 2;
            if hi == '\\' {
                hi = *chars.get(i).ok_or("unclosed character class")?;
                i += 1;
            }
            if hi < lo {
                return Err("invalid character class range");
            }
            items.push((lo, hi));
        } else {
            items.push((lo, lo));
        }
    }
}

/// Backtracking match of the whole `text` (anchored at both ends).
fn match_tokens(tokens: &[Token], text: &[char], pos: usize) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return pos == text.len();
    };
    match token {
        Token::Lit(c) => text.get(pos) == Some(c) && match_tokens(rest, text, pos + 1),
        Token::One => text.get(pos).is_some_and(|c| *c != '/') && match_tokens(rest, text, pos + 1),
        Token::Class { negated, items } => {
            text.get(pos)
                .is_some_and(|c| items.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
                && match_tokens(rest, text, pos + 1)
        }
        Token::Start => pos == 0 && match_tokens(rest, text, pos),
        Token::Star => {
            let mut end = pos;
            loop {
                if match_tokens(rest, text, end) {
                    return true;
                }
                if end < text.len() && text[end] != '/' {
                    end += 1;
                } else {
                    return false;
                }
            }
        }
        Token::Rest => (pos..=text.len()).any(|end| match_tokens(rest, text, end)),
        Token::AnyDirs => {
            // `(.*/)?`: nothing, or anything that ends with a `/`.
            match_tokens(rest, text, pos)
                || (pos..text.len())
                    .filter(|&i| text[i] == '/')
                    .any(|i| match_tokens(rest, text, i + 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(patterns: &str, path: &str) -> bool {
        IgnoreFile::parse(patterns).unwrap().is_excluded(path)
    }

    #[test]
    fn star_then_reinclude_a_directory_admits_its_files() {
        let f = "*\n!Cargo.lock\n!DAGs/rust/a\n**/target\n";
        assert!(!excluded(f, "Cargo.lock"));
        assert!(!excluded(f, "DAGs/rust/a/src/lib.rs"));
        assert!(!excluded(f, "DAGs/rust/a/Cargo.toml"));
        assert!(excluded(f, "DAGs/rust/b/src/lib.rs"));
        assert!(excluded(f, "DAGs/rust/ab/src/lib.rs"));
        assert!(excluded(f, "Cargo.toml"));
        assert!(excluded(f, "DAGs/rust/a/target/release/x"));
        assert!(excluded(f, "README.md"));
    }

    #[test]
    fn last_match_wins() {
        assert!(!excluded("a\n!a\n", "a"));
        assert!(excluded("!a\na\n", "a"));
        assert!(excluded(
            "*.md\n!README*.md\nREADME-secret.md\n",
            "README-secret.md"
        ));
        assert!(!excluded(
            "*.md\n!README*.md\nREADME-secret.md\n",
            "README.md"
        ));
    }

    #[test]
    fn star_does_not_cross_slashes_but_parents_match() {
        assert!(excluded("*/temp*", "somedir/temporary.txt"));
        assert!(!excluded("*/temp*", "somedir/sub/x.txt"));
        // The parent directory `somedir/temp` matches, so its files are out.
        assert!(excluded("*/temp*", "somedir/temp/x.txt"));
        assert!(excluded("*/*/temp*", "a/b/temp.txt"));
        assert!(!excluded("*/*/temp*", "a/temp.txt"));
    }

    #[test]
    fn double_star() {
        assert!(excluded("**/*.go", "a.go"));
        assert!(excluded("**/*.go", "x/y/a.go"));
        assert!(excluded("**/target", "target/debug/x"));
        assert!(excluded("**/target", "a/b/target/x"));
        assert!(!excluded("**/target", "a/b/mytarget/x"));
        assert!(excluded("a/**/b", "a/b"));
        assert!(excluded("a/**/b", "a/x/y/b"));
        assert!(excluded("a/**", "a/x"));
        assert!(!excluded("a/**", "ab"));
        assert!(excluded("**", "anything/at/all"));
        assert!(excluded("a/*/**", "a/x/y"));
    }

    #[test]
    fn question_mark_and_classes() {
        assert!(excluded("temp?", "temp1"));
        assert!(!excluded("temp?", "temp/1x"));
        assert!(excluded("file[0-9].txt", "file7.txt"));
        assert!(!excluded("file[0-9].txt", "filex.txt"));
        assert!(excluded("file[^0-9].txt", "filex.txt"));
        assert!(IgnoreFile::parse("file[0-9.txt").is_err());
    }

    #[test]
    fn paths_are_cleaned_and_leading_slash_dropped() {
        assert!(excluded("/Cargo.lock", "Cargo.lock"));
        assert!(excluded("./src//x/../main.rs", "src/main.rs"));
        assert!(!excluded("*\n!./keep\n", "keep/a"));
        assert!(excluded("*\n!./keep\n", "other"));
        assert!(excluded("a.txt", "./a.txt"));
    }

    #[test]
    fn comments_whitespace_and_lone_bang() {
        assert!(!excluded("# a\n", "# a"));
        assert!(excluded("  a  \n", "a"));
        assert!(!excluded(" # not a comment?\n", "x"));
        assert!(IgnoreFile::parse("!\n").is_err());
        // Regexp metacharacters are literal.
        assert!(excluded("a.b", "a.b"));
        assert!(!excluded("a.b*", "axb"));
        assert!(excluded("a+(b)*", "a+(b)c"));
    }

    #[test]
    fn escapes() {
        assert!(excluded("a\\*b", "a*b"));
        assert!(!excluded("a\\*b", "axb"));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// A relative path over a tiny alphabet, so patterns and paths collide often.
        fn path() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![Just("a"), Just("b"), Just("c"), Just("ab"), Just("ba")],
                1..5,
            )
            .prop_map(|s| s.join("/"))
        }

        /// A pattern segment: literals and every wildcard form.
        fn segment() -> impl Strategy<Value = &'static str> {
            prop_oneof![
                Just("a"),
                Just("b"),
                Just("ab"),
                Just("*"),
                Just("?"),
                Just("a*"),
                Just("*b"),
                Just("**"),
                Just("[ab]"),
                Just("[!a]"),
            ]
        }

        fn pattern() -> impl Strategy<Value = String> {
            (any::<bool>(), proptest::collection::vec(segment(), 1..4))
                .prop_map(|(neg, segs)| format!("{}{}", if neg { "!" } else { "" }, segs.join("/")))
        }

        fn parse(lines: &[String]) -> IgnoreFile {
            IgnoreFile::parse(&lines.join("\n")).unwrap()
        }

        proptest! {
            /// `*` then `!x`: exactly `x` and everything under it is sent.
            #[test]
            fn star_then_reinclude_admits_exactly_x_and_its_children(x in path(), p in path(), under in any::<bool>()) {
                let f = IgnoreFile::parse(&format!("*\n!{x}\n")).unwrap();
                let p = if under { format!("{x}/{p}") } else { p };
                let inside = p == x || p.starts_with(&format!("{x}/"));
                prop_assert_eq!(f.is_excluded(&p), !inside, "x = {}, p = {}", x, p);
            }

            /// A pattern that can match no path (a literal no path has) changes no answer,
            /// wherever it goes and whichever way it points.
            #[test]
            fn a_pattern_matching_nothing_changes_nothing(
                lines in proptest::collection::vec(pattern(), 0..6),
                extra in pattern(),
                at in any::<proptest::sample::Index>(),
                paths in proptest::collection::vec(path(), 1..8),
            ) {
                let before = parse(&lines);
                let mut more = lines.clone();
                more.insert(at.index(lines.len() + 1), format!("{extra}/zz9"));
                let after = parse(&more);
                for p in &paths {
                    prop_assert_eq!(before.is_excluded(p), after.is_excluded(p), "{:?} {}", more, p);
                }
            }

            /// `./` prefixes, a leading `/` on patterns and doubled slashes change nothing, in
            /// patterns and in paths.
            #[test]
            fn spelling_of_paths_does_not_matter(
                lines in proptest::collection::vec(pattern(), 0..6),
                paths in proptest::collection::vec(path(), 1..8),
            ) {
                let plain = parse(&lines);
                let respelled: Vec<String> = lines
                    .iter()
                    .map(|l| {
                        let (neg, body) = l.strip_prefix('!').map_or(("", l.as_str()), |b| ("!", b));
                        format!("{neg}./{}", body.replace('/', "//"))
                    })
                    .collect();
                let rooted: Vec<String> = lines
                    .iter()
                    .map(|l| {
                        let (neg, body) = l.strip_prefix('!').map_or(("", l.as_str()), |b| ("!", b));
                        format!("{neg}/{body}")
                    })
                    .collect();
                let respelled = parse(&respelled);
                let rooted = parse(&rooted);
                for p in &paths {
                    let want = plain.is_excluded(p);
                    prop_assert_eq!(plain.is_excluded(&format!("./{p}")), want);
                    prop_assert_eq!(plain.is_excluded(&p.replace('/', "//")), want);
                    prop_assert_eq!(respelled.is_excluded(p), want, "{:?} {}", lines, p);
                    prop_assert_eq!(rooted.is_excluded(p), want, "{:?} {}", lines, p);
                }
            }

            #[test]
            fn arbitrary_text_never_panics(text in "[ -~\n]{0,60}", p in "[ -~]{0,20}") {
                if let Ok(f) = IgnoreFile::parse(&text) {
                    let _ = f.is_excluded(&p);
                }
            }
        }
    }
}
