//! `lint-deps --fix` on a workspace of a fixed root and one fuzzed member manifest: applying
//! the proposed edits never panics, the result parses (the CLI refuses to write it otherwise,
//! as an internal error), and, as the CLI does, linting and fixing the result again settles
//! within the CLI's bound of passes; once settled, `--fix` changes nothing.

#![no_main]

use cargo_ccworkspace::lint::fix;
use cargo_ccworkspace_fuzz::{MEMBER, ROOT, edits, lint, workspace};
use libfuzzer_sys::fuzz_target;

fn fix_once(root: &str, member: &str) -> Option<(String, String)> {
    let ws = workspace(root, member)?;
    let edits = edits(&lint(&ws));
    let apply = |file: &str, text: &str| match edits.get(file) {
        // An edit that cannot be applied is reported, not written: fine here.
        Some(list) => fix::apply(text, list).ok(),
        None => Some(text.to_string()),
    };
    Some((apply("Cargo.toml", root)?, apply(MEMBER, member)?))
}

fuzz_target!(|data: &[u8]| {
    let Ok(member) = std::str::from_utf8(data) else {
        return;
    };
    // The CLI lints the fixed texts again and applies what it finds, until a pass changes
    // nothing (`lint::plan::settle`, at most 8 passes).
    let mut current = (ROOT.to_string(), member.to_string());
    for pass in 0..8 {
        let Some(next) = fix_once(&current.0, &current.1) else {
            assert!(pass == 0, "a fix that parsed could not be linted again");
            return;
        };
        let Some(ws) = workspace(&next.0, &next.1) else {
            panic!("--fix produced invalid TOML:\n{}\n---\n{}", next.0, next.1);
        };
        drop(ws);
        if next == current {
            return;
        }
        current = next;
    }
    panic!(
        "--fix did not settle in 8 passes:\n{}\n---\n{}",
        current.0, current.1
    );
});
