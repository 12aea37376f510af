//! The rule semantics as a table of cases: each case builds a repository (manifests, tags,
//! lists, referrers, pulls, ages), a policy, and says which tags and manifests stay.
use super::*;
use crate::domain::retention::{RuleSpec, Span};
use chrono::Duration;
use serde_json::json;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A repository built in a test: manifests by name, ages in days.
#[derive(Default)]
struct Repo {
    s: Snapshot,
    names: HashMap<String, usize>,
}

impl Repo {
    /// A manifest `name` pushed `days` ago with blobs (name, size).
    fn image(mut self, name: &str, days: i64, blobs: &[(&str, i64)]) -> Repo {
        let i = self.s.manifests.len();
        self.s.manifests.push(Manifest {
            id: Uuid::now_v7(),
            digest: format!("sha256:{name}"),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            pushed: now() - Duration::days(days),
            last_pulled: None,
            blobs: blobs.iter().map(|(b, s)| (blob_id(b), *s)).collect(),
            children: vec![],
            subject: None,
            pending: false,
        });
        self.names.insert(name.into(), i);
        self
    }
    fn index(mut self, name: &str, days: i64, children: &[&str]) -> Repo {
        self = self.image(name, days, &[]);
        let i = self.names[name];
        self.s.manifests[i].children = children.iter().map(|c| self.names[*c]).collect();
        self
    }
    fn referrer(mut self, name: &str, days: i64, subject: &str) -> Repo {
        self = self.image(name, days, &[]);
        let i = self.names[name];
        self.s.manifests[i].subject = Some(self.names[subject]);
        self
    }
    fn tag(mut self, tag: &str, manifest: &str, days: i64) -> Repo {
        self.s.tags.push(Tag {
            id: Uuid::now_v7(),
            name: tag.into(),
            manifest: self.names[manifest],
            pushed: now() - Duration::days(days),
            last_pulled: None,
        });
        self
    }
    fn pulled_tag(mut self, tag: &str, days: i64) -> Repo {
        let t = self.s.tags.iter_mut().find(|t| t.name == tag).unwrap();
        t.last_pulled = Some(now() - Duration::days(days));
        self
    }
}

fn blob_id(name: &str) -> Uuid {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    Uuid::from_u128(h.finish() as u128)
}

fn policy(rules: serde_json::Value, delay: &str, allow_empty: bool) -> Policy {
    let rules: Vec<RuleSpec> = serde_json::from_value(rules).unwrap();
    Policy::new(
        &[],
        &[],
        &rules,
        delay.parse().unwrap(),
        allow_empty,
        Span::default(),
    )
    .unwrap()
}

/// (kept tags, removed manifests, skipped) sorted, by name.
fn outcome(r: &Repo, p: &Policy) -> (Vec<String>, Vec<String>, Option<&'static str>) {
    let d = evaluate(p, &r.s, now());
    let mut tags: Vec<String> = (0..r.s.tags.len())
        .filter(|t| d.tag_kept(&r.s, *t))
        .map(|t| r.s.tags[t].name.clone())
        .collect();
    tags.sort();
    let mut gone: Vec<String> = d
        .removed_manifests()
        .iter()
        .map(|m| {
            r.s.manifests[*m]
                .digest
                .trim_start_matches("sha256:")
                .to_string()
        })
        .collect();
    gone.sort();
    (tags, gone, d.skipped)
}

/// Five images a..e pushed 5..1 days ago, each tagged v<n> the same day.
fn five() -> Repo {
    let mut r = Repo::default();
    for (i, n) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let days = 5 - i as i64;
        r = r
            .image(n, days, &[(n, 10)])
            .tag(&format!("v{}", i + 1), n, days);
    }
    r
}

struct Case {
    what: &'static str,
    repo: Repo,
    rules: serde_json::Value,
    delay: &'static str,
    allow_empty: bool,
    tags: &'static [&'static str],
    removed: &'static [&'static str],
    skipped: bool,
}

fn case(what: &'static str, repo: Repo, rules: serde_json::Value) -> Case {
    Case {
        what,
        repo,
        rules,
        delay: "0s",
        allow_empty: true,
        tags: &[],
        removed: &[],
        skipped: false,
    }
}

impl Case {
    fn keeps(mut self, tags: &'static [&'static str], removed: &'static [&'static str]) -> Case {
        self.tags = tags;
        self.removed = removed;
        self
    }
    fn delay(mut self, d: &'static str) -> Case {
        self.delay = d;
        self
    }
    fn no_empty(mut self) -> Case {
        self.allow_empty = false;
        self
    }
    fn skips(mut self) -> Case {
        self.skipped = true;
        self
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("latest_pushed keeps the newest N tags", five(), json!([{"latest_pushed": 2}]))
            .keeps(&["v4", "v5"], &["a", "b", "c"]),
        case("latest_pushed 0 keeps nothing", five(), json!([{"latest_pushed": 0}]))
            .keeps(&[], &["a", "b", "c", "d", "e"]),
        case(
            "latest_pulled ranks pulled tags first, never-pulled last by push time",
            five().pulled_tag("v1", 3).pulled_tag("v2", 1),
            json!([{"latest_pulled": 3}]),
        )
        .keeps(&["v1", "v2", "v5"], &["c", "d"]),
        case("pushed_within keeps what is at least that young", five(), json!([{"pushed_within": "3d"}]))
            .keeps(&["v3", "v4", "v5"], &["a", "b"]),
        case(
            "pulled_within keeps only tags pulled in the span",
            five().pulled_tag("v1", 1).pulled_tag("v2", 10),
            json!([{"pulled_within": "2d"}]),
        )
        .keeps(&["v1"], &["b", "c", "d", "e"]),
        case("always with a tag pattern keeps what the pattern selects", five(), json!([{"tags": "v[13]", "always": true}]))
            .keeps(&["v1", "v3"], &["b", "d", "e"]),
        case("exclude_tags narrows the selection", five(), json!([{"exclude_tags": "v[12]", "always": true}]))
            .keeps(&["v3", "v4", "v5"], &["a", "b"]),
        case(
            "rules are OR'd",
            five(),
            json!([{"tags": "v1", "always": true}, {"latest_pushed": 1}]),
        )
        .keeps(&["v1", "v5"], &["b", "c", "d"]),
        case(
            "counting is per selection: latest 1 of v[12] and latest 1 of the rest",
            five(),
            json!([{"tags": "v[12]", "latest_pushed": 1}, {"exclude_tags": "v[12]", "latest_pushed": 1}]),
        )
        .keeps(&["v2", "v5"], &["a", "c", "d"]),
        case(
            "decisions are per tag: an unkept tag is untagged, its manifest stays for a kept one",
            five().tag("old", "e", 5),
            json!([{"tags": "v.*", "latest_pushed": 1}]),
        )
        .keeps(&["v5"], &["a", "b", "c", "d"]),
        case(
            "untagged manifests go unless a rule selects untagged",
            five().image("u1", 9, &[("u1", 1)]).image("u2", 1, &[("u2", 1)]),
            json!([{"always": true}]),
        )
        .keeps(&["v1", "v2", "v3", "v4", "v5"], &["u1", "u2"]),
        case(
            "an untagged rule ranks untagged manifests with the tags it selects",
            five().image("u1", 9, &[("u1", 1)]).image("u2", 0, &[("u2", 1)]),
            json!([{"tags": "none", "untagged": true, "latest_pushed": 1}, {"always": true}]),
        )
        .keeps(&["v1", "v2", "v3", "v4", "v5"], &["u1"]),
        case(
            "delay keeps young tags and manifests",
            five().image("u", 0, &[("u", 1)]),
            json!([{"latest_pushed": 1}]),
        )
        .delay("3d")
        .keeps(&["v4", "v5"], &["a", "b", "c"]),
        case("allow_empty false leaves a repository that would lose every tag", five(), json!([{"tags": "x", "always": true}]))
            .no_empty()
            .skips()
            .keeps(&["v1", "v2", "v3", "v4", "v5"], &[]),
        case("allow_empty true empties it", five(), json!([{"tags": "x", "always": true}]))
            .keeps(&[], &["a", "b", "c", "d", "e"]),
        case(
            "allow_empty false does not stop a run on a repository without tags",
            Repo::default().image("u", 9, &[("u", 1)]),
            json!([{"always": true}]),
        )
        .no_empty()
        .keeps(&[], &["u"]),
        case(
            "a kept index keeps its children, nested, whatever the rules say of them",
            Repo::default()
                .image("amd", 9, &[("l1", 5)])
                .image("arm", 9, &[("l2", 5)])
                .index("inner", 9, &["arm"])
                .index("outer", 9, &["amd", "inner"])
                .tag("multi", "outer", 9)
                .tag("amd-only", "amd", 9),
            json!([{"tags": "multi", "always": true}]),
        )
        .keeps(&["multi"], &[]),
        case(
            "children of a removed index go with it and are never judged alone",
            Repo::default()
                .image("amd", 9, &[("l1", 5)])
                .image("arm", 9, &[("l2", 5)])
                .index("list", 9, &["amd", "arm"])
                .tag("multi", "list", 9)
                .image("keep", 1, &[("k", 1)])
                .tag("k", "keep", 1),
            json!([{"tags": "k", "always": true}, {"tags": "none", "untagged": true, "always": true}]),
        )
        .keeps(&["k"], &["amd", "arm", "list"]),
        case(
            "a referrer of a kept manifest stays",
            five().referrer("sig", 9, "e"),
            json!([{"latest_pushed": 1}]),
        )
        .keeps(&["v5"], &["a", "b", "c", "d"]),
        case(
            "a referrer whose subject goes goes too, even with a kept tag",
            five().referrer("sig", 9, "a").tag("sig-tag", "sig", 9),
            json!([{"tags": "v5", "always": true}, {"tags": "sig-tag", "always": true}]),
        )
        .keeps(&["v5"], &["a", "b", "c", "d", "sig"]),
        case(
            "a kept referrer does not keep its subject, and referrers of referrers follow",
            five().referrer("sig", 0, "a").referrer("sig2", 9, "sig"),
            json!([{"tags": "v5", "always": true}]),
        )
        .delay("1d")
        .keeps(&["v5"], &["a", "b", "c", "d"]),
    ]
}

#[test]
fn the_rule_semantics_table() {
    for c in cases() {
        let p = policy(c.rules.clone(), c.delay, c.allow_empty);
        let (tags, removed, skipped) = outcome(&c.repo, &p);
        assert_eq!(tags, c.tags, "{}: kept tags", c.what);
        assert_eq!(removed, c.removed, "{}: removed manifests", c.what);
        assert_eq!(skipped.is_some(), c.skipped, "{}: skipped", c.what);
    }
}

#[test]
fn each_kept_manifest_records_what_kept_it() {
    let r = Repo::default()
        .image("amd", 9, &[("l1", 5)])
        .index("list", 9, &["amd"])
        .tag("multi", "list", 9)
        .referrer("sig", 9, "list")
        .image("new", 0, &[("n", 1)]);
    let p = policy(
        json!([{"tags": "zzz", "always": true}, {"tags": "multi", "latest_pushed": 1}]),
        "1d",
        true,
    );
    let d = evaluate(&p, &r.s, now());
    let why = |m: &str| {
        d.manifests[r.names[m]]
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(why("list"), ["rule 1"]);
    assert_eq!(why("amd"), ["child of sha256:list"]);
    assert_eq!(why("sig"), ["referrer of sha256:list"]);
    assert_eq!(why("new"), ["delay"]);
}

#[test]
fn only_blobs_no_kept_manifest_uses_are_freeable_each_counted_once() {
    let r = Repo::default()
        .image("a", 9, &[("base", 100), ("a", 10)])
        .image("b", 9, &[("base", 100), ("b", 20)])
        .image("c", 9, &[("base", 100), ("c", 30), ("c2", 5)])
        .tag("a", "a", 9)
        .tag("b", "b", 9)
        .tag("c", "c", 1);
    let p = policy(json!([{"latest_pushed": 1}]), "0s", true);
    let d = evaluate(&p, &r.s, now());
    let free = freeable(&[(&r.s, &d)]);
    let total: i64 = free.values().sum();
    assert_eq!(
        total, 30,
        "a and b's own layers; the shared base stays for c"
    );
    // Another covered repository keeping a manifest that uses `a` keeps it too.
    let other = Repo::default().image("x", 1, &[("a", 10)]).tag("x", "x", 1);
    let d2 = evaluate(&p, &other.s, now());
    let free = freeable(&[(&r.s, &d), (&other.s, &d2)]);
    assert_eq!(free.values().sum::<i64>(), 20);
    // Removing everything frees the shared base once.
    let p = policy(json!([]), "0s", true);
    let d = evaluate(&p, &r.s, now());
    assert_eq!(freeable(&[(&r.s, &d)]).values().sum::<i64>(), 165);
}
