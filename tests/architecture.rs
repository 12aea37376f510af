//! The layering rules, checked on the source tree (ARCHITECTURE.md §2b): no file under
//! `src/api` imports `repo`; no SQL text outside `src/repo` (and `migration/`); no transaction
//! opened under `src/api`; no `crate::api` import under `src/service`, `src/repo`,
//! `src/domain` or `src/storage`. Comments are ignored; SQL is looked for in string literals.
use std::fs;
use std::path::{Path, PathBuf};

/// Files that still break a rule while another part of the redesign moves their code. Each
/// entry is (rule, path under `src/`); an entry whose file no longer breaks the rule fails the
/// test, so the list only shrinks.
const EXCEPTIONS: &[(Rule, &str)] = &[];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// A file under `src/api` that imports `repo`.
    RepoInApi,
    /// SQL text in a string literal outside `src/repo`.
    Sql,
    /// A transaction opened under `src/api`.
    TxnInApi,
    /// `crate::api` imported below the api layer.
    ApiImport,
}

/// A source file split into its code (literals blanked, comments dropped) and its string
/// literals.
struct Source {
    code: String,
    strings: Vec<String>,
}

fn lex(text: &str) -> Source {
    let chars: Vec<char> = text.chars().collect();
    let (mut code, mut strings) = (String::new(), vec![]);
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !ident(chars[i - 1]) || chars[i - 1] == 'b')
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                code.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let start = j;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    break;
                }
                j += 1;
            }
            strings.push(chars[start..j.min(chars.len())].iter().collect());
            code.push_str("\"\"");
            i = j + 1 + hashes;
        } else if c == '"' {
            let mut j = i + 1;
            let mut s = String::new();
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    s.push(chars[j]);
                    j += 1;
                }
                if j < chars.len() {
                    s.push(chars[j]);
                }
                j += 1;
            }
            strings.push(s);
            code.push_str("\"\"");
            i = j + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\''), or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                code.push(' ');
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                code.push(' ');
            } else {
                code.push(c);
                i += 1;
            }
        } else {
            code.push(c);
            i += 1;
        }
    }
    Source { code, strings }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Whether `code` mentions the path `word::` as a path segment (not `foo_word::`).
fn mentions_path(code: &str, word: &str) -> bool {
    let pat = format!("{word}::");
    code.match_indices(&pat).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

const SQL: &[&str] = &["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"];

/// The rules file `rel` (path under `src/`, with `/`) breaks.
fn violations(rel: &str, src: &Source) -> Vec<Rule> {
    let mut out = vec![];
    let under = |dir: &str| rel.starts_with(&format!("{dir}/"));
    if under("api") && (src.code.contains("crate::repo") || mentions_path(&src.code, "repo")) {
        out.push(Rule::RepoInApi);
    }
    if !under("repo")
        && src
            .strings
            .iter()
            .any(|s| SQL.iter().any(|k| s.contains(k)))
    {
        out.push(Rule::Sql);
    }
    if under("api")
        && ["begin_write(", ".begin(", "begin_with_options("]
            .iter()
            .any(|t| src.code.contains(t))
    {
        out.push(Rule::TxnInApi);
    }
    if ["service", "repo", "domain", "storage"]
        .iter()
        .any(|d| under(d))
        && src.code.contains("crate::api")
    {
        out.push(Rule::ApiImport);
    }
    out
}

#[test]
fn layering_rules_hold() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut broken = vec![];
    let mut excused = vec![];
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = fs::read_to_string(f).unwrap();
        for rule in violations(&rel, &lex(&text)) {
            if EXCEPTIONS.contains(&(rule, rel.as_str())) {
                excused.push((rule, rel.clone()));
            } else {
                broken.push(format!("{rule:?}: src/{rel}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "layering rules broken:\n{}",
        broken.join("\n")
    );
    let stale: Vec<_> = EXCEPTIONS
        .iter()
        .filter(|(rule, p)| !excused.iter().any(|(r, q)| r == rule && q == p))
        .collect();
    assert!(
        stale.is_empty(),
        "these exceptions no longer apply; remove them from EXCEPTIONS: {stale:?}"
    );
}

#[test]
fn the_lexer_sees_literals_not_comments() {
    let src = lex(concat!(
        "// SELECT in a comment\n",
        "/* DELETE FROM t */ let c = '\"'; let l: &'a str;\n",
        "let s = \"INSERT INTO t \\\" x\";\n",
        "let r = r#\"UPDATE t SET \"a\" = 1\"#;\n",
        "use crate::api::x; let y = my_repo::z;\n",
    ));
    assert_eq!(src.strings.len(), 2, "{:?}", src.strings);
    assert!(src.strings[0].starts_with("INSERT INTO t"));
    assert!(src.strings[1].starts_with("UPDATE t SET \"a\""));
    assert!(!src.code.contains("SELECT") && !src.code.contains("DELETE"));
    assert!(src.code.contains("&'a str"));
    assert!(mentions_path(&src.code, "api"));
    assert!(!mentions_path(&src.code, "repo"));
    let api = violations("api/pulp/x.rs", &lex("use crate::{error::E, repo::Db};"));
    assert_eq!(api, vec![Rule::RepoInApi]);
    let txn = violations("api/pulp/x.rs", &lex("let t = st.db.begin_write().await;"));
    assert_eq!(txn, vec![Rule::TxnInApi]);
    let sql = violations("service/x.rs", &lex("one(c, \"SELECT 1\", vec![])"));
    assert_eq!(sql, vec![Rule::Sql]);
    assert!(violations("repo/x.rs", &lex("one(c, \"SELECT 1\", vec![])")).is_empty());
}
