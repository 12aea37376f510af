//! Keeps the layering of `src/` (ARCHITECTURE.md §2b) from eroding, by reading the sources:
//! no `crate::api` below the api layer (`service`, `repo`, `domain`, `storage`), and no import
//! cycle between `error`, `domain`, `config` and `storage`, which import each other only in the
//! order `domain` ← `storage` ← `config` and `domain` ← `error`.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Known imports that break a rule, as (file, module). Each is on its way out; the test fails
/// when one is no longer there, so the list only shrinks.
const EXCEPTIONS: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `rel` (a directory or one file), as paths relative to the root.
fn sources(rel: &str) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![root().join(rel)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(root()).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
    out
}

/// The top-level modules of the crate a source names through `crate::…`, including inside
/// grouped imports (`use crate::{a, b::c};`). Line comments are ignored.
fn crate_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.trim_start().strip_prefix('{') {
            // Top-level items of the group: split at commas outside nested braces.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.insert(ident(&item));
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out
}

/// Every (file, module) under `dirs` naming a module outside `allowed`.
fn violations(dirs: &[&str], allowed: &[&str]) -> Vec<(String, String)> {
    let mut out = vec![];
    for dir in dirs {
        for file in sources(dir) {
            let text = std::fs::read_to_string(root().join(&file)).unwrap();
            for m in crate_modules(&text) {
                if !allowed.contains(&m.as_str()) {
                    out.push((file.clone(), m));
                }
            }
        }
    }
    out
}

/// Fails on any violation not in [`EXCEPTIONS`], and on any exception of `dirs` no longer needed.
fn check(dirs: &[&str], found: Vec<(String, String)>, rule: &str) {
    let unexpected: Vec<_> = found
        .iter()
        .filter(|(f, m)| !EXCEPTIONS.contains(&(f.as_str(), m.as_str())))
        .collect();
    assert!(unexpected.is_empty(), "{rule}: {unexpected:?}");
    for (file, module) in EXCEPTIONS {
        if dirs.iter().any(|d| file.starts_with(d)) && Path::new(&root().join(file)).exists() {
            let gone = !found.iter().any(|(f, m)| f == file && m == module);
            assert!(
                !gone,
                "{file} no longer imports crate::{module}: remove it from EXCEPTIONS"
            );
        }
    }
}

#[test]
fn nothing_below_the_api_layer_imports_it() {
    let dirs = ["src/service", "src/repo", "src/domain", "src/storage"];
    let found: Vec<_> = violations(&dirs, &[])
        .into_iter()
        .filter(|(_, m)| m == "api")
        .collect();
    check(&dirs, found, "crate::api imported below the api layer");
}

#[test]
fn error_domain_config_and_storage_import_each_other_in_one_direction() {
    check(
        &["src/domain"],
        violations(&["src/domain"], &["domain"]),
        "domain imports only itself",
    );
    check(
        &["src/storage"],
        violations(&["src/storage"], &["storage", "domain"]),
        "storage imports only domain",
    );
    check(
        &["src/error.rs"],
        violations(&["src/error.rs"], &["error", "domain"]),
        "error imports only domain",
    );
    check(
        &["src/config.rs"],
        violations(&["src/config.rs"], &["config", "storage", "domain"]),
        "config imports only storage and domain",
    );
}

#[test]
fn grouped_and_nested_imports_are_seen() {
    let text = "use crate::{api::x, domain::{a, b}};\nuse crate::repo;\n// crate::service\n\
                fn f() { crate::state::g() }";
    let got: Vec<_> = crate_modules(text).into_iter().collect();
    assert_eq!(got, ["api", "domain", "repo", "state"]);
}
