//! `lint-deps --fix` on a workspace of a fixed root and one fuzzed member manifest: applying
//! the proposed edits never panics, the result parses (the CLI refuses to write it otherwise,
//! as an internal error), and a second `--fix` on the result changes nothing.

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
    let Some((root2, member2)) = fix_once(ROOT, member) else {
        return;
    };
    let Some(ws2) = workspace(&root2, &member2) else {
        panic!("--fix produced invalid TOML:\n{root2}\n---\n{member2}");
    };
    drop(ws2);
    let again = fix_once(&root2, &member2);
    assert_eq!(
        again.as_ref(),
        Some(&(root2.clone(), member2.clone())),
        "a second --fix changed the files"
    );
});
