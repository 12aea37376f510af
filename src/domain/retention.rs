//! Retention policies as data: durations (`"90m"`, `"7d"`), repository globs (`*`, `**`), and
//! rules (a tag selection plus exactly one keep criterion). Parsing and validation live here;
//! the evaluation over a repository's images is `service::retention`. [`RuleSpec`] is the JSON
//! form (what the API takes and the database stores); [`Rule`] is the checked form with its
//! regular expressions compiled.
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest accepted pattern (a tag regex or a repository glob).
pub const MAX_PATTERN_LEN: usize = 512;
/// Most rules a policy may have.
pub const MAX_RULES: usize = 50;
/// Compiled-size limit for tag regexes, so a hostile pattern cannot take the server's memory.
const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// Longest accepted duration: 100 years.
const MAX_SPAN_SECONDS: i64 = 100 * 365 * 86_400;

/// A duration written as a number and a unit: `s`, `m`, `h`, `d` or `w` (`"0s"`, `"90m"`,
/// `"24h"`, `"7d"`). Shown back in the largest unit up to days that divides it (`"14d"`, not
/// `"2w"`: retention periods are thought of in days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Span {
    seconds: i64,
}

impl Span {
    pub fn from_seconds(seconds: i64) -> Option<Span> {
        (0..=MAX_SPAN_SECONDS)
            .contains(&seconds)
            .then_some(Span { seconds })
    }

    pub fn seconds(self) -> i64 {
        self.seconds
    }

    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(self.seconds)
    }
}

impl std::str::FromStr for Span {
    type Err = String;

    fn from_str(s: &str) -> Result<Span, String> {
        let bad = || {
            format!("'{s}' is not a duration; write a number and a unit, e.g. \"90m\", \"24h\" or \"7d\" (units: s, m, h, d, w)")
        };
        let s = s.trim();
        let unit = s.chars().last().ok_or_else(bad)?;
        let number: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
        let scale = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        number
            .checked_mul(scale)
            .and_then(Span::from_seconds)
            .ok_or_else(|| format!("'{s}' is negative or longer than 100 years"))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.seconds;
        for (unit, scale) in [('d', 86_400), ('h', 3_600), ('m', 60)] {
            if s != 0 && s % scale == 0 {
                return write!(f, "{}{unit}", s / scale);
            }
        }
        write!(f, "{s}s")
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A glob on repository names: `*` matches within one path segment, `**` across segments,
/// `?` one character other than `/`; everything else matches itself. Compared with the whole
/// name.
#[derive(Debug, Clone)]
pub struct Glob {
    pattern: String,
    re: Regex,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, String> {
        if pattern.is_empty() || pattern.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "a repository pattern must have 1 to {MAX_PATTERN_LEN} characters"
            ));
        }
        let mut re = String::from("^");
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    // `**/` also matches no segment at all (`a/**/b` matches `a/b`).
                    if chars.peek() == Some(&'/') {
                        chars.next();
                        re.push_str("(?:.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        let re = Regex::new(&re).map_err(|e| format!("bad pattern '{pattern}': {e}"))?;
        Ok(Glob {
            pattern: pattern.to_string(),
            re,
        })
    }

    pub fn matches(&self, name: &str) -> bool {
        self.re.is_match(name)
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

/// A rule as written: a tag selection and exactly one of the keep keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Tags this rule applies to: a regular expression matched against the whole tag name
    /// (default: every tag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// Tags this rule never applies to (anchored regular expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_tags: Option<String>,
    /// Whether the rule also applies to untagged manifests (default false).
    #[serde(default)]
    pub untagged: bool,
    /// Keep the N most recently pushed (per repository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_pushed: Option<u32>,
    /// Keep the N most recently pulled (per repository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_pulled: Option<u32>,
    /// Keep what was pushed within this duration, e.g. "30d".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "30d")]
    pub pushed_within: Option<Span>,
    /// Keep what was pulled within this duration, e.g. "7d".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "7d")]
    pub pulled_within: Option<Span>,
    /// Keep everything the rule selects (`true` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<bool>,
}

/// What a rule keeps of what it selects, counted per repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    LatestPushed(u32),
    LatestPulled(u32),
    PushedWithin(Span),
    PulledWithin(Span),
    Always,
}

/// A checked rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub tags: Option<Regex>,
    pub exclude_tags: Option<Regex>,
    pub untagged: bool,
    pub keep: Keep,
}

impl Rule {
    /// Checks `spec`: valid regexes, exactly one keep key, `always` only `true`.
    pub fn new(spec: &RuleSpec) -> Result<Rule, String> {
        let keeps: Vec<Keep> = [
            spec.latest_pushed.map(Keep::LatestPushed),
            spec.latest_pulled.map(Keep::LatestPulled),
            spec.pushed_within.map(Keep::PushedWithin),
            spec.pulled_within.map(Keep::PulledWithin),
            spec.always.map(|_| Keep::Always),
        ]
        .into_iter()
        .flatten()
        .collect();
        let [keep] = keeps[..] else {
            return Err("a rule needs exactly one of latest_pushed, latest_pulled, \
                        pushed_within, pulled_within, always"
                .into());
        };
        if spec.always == Some(false) {
            return Err("always can only be true (leave the rule out instead)".into());
        }
        Ok(Rule {
            tags: spec.tags.as_deref().map(anchored).transpose()?,
            exclude_tags: spec.exclude_tags.as_deref().map(anchored).transpose()?,
            untagged: spec.untagged,
            keep,
        })
    }

    /// Whether the rule applies to the tag named `name`.
    pub fn selects_tag(&self, name: &str) -> bool {
        self.tags.as_ref().is_none_or(|re| re.is_match(name))
            && !self
                .exclude_tags
                .as_ref()
                .is_some_and(|re| re.is_match(name))
    }
}

/// A checked policy: what the evaluation needs (scope, rules, delay, `allow_empty`,
/// `undo_window`), made from the stored JSON by [`Policy::new`].
#[derive(Debug, Clone)]
pub struct Policy {
    /// Repositories the policy covers (empty: every repository in scope).
    pub repositories: Vec<Glob>,
    pub exclude_repositories: Vec<Glob>,
    pub rules: Vec<Rule>,
    /// Content younger than this is never removed.
    pub delay: Span,
    /// Whether a run may leave a repository with no tags.
    pub allow_empty: bool,
    /// How long the versions before a run's version are kept (so the run can be undone).
    pub undo_window: Span,
}

impl Policy {
    /// Checks the parts as stored or as given to the API.
    pub fn new(
        repositories: &[String],
        exclude_repositories: &[String],
        rules: &[RuleSpec],
        delay: Span,
        allow_empty: bool,
        undo_window: Span,
    ) -> Result<Policy, String> {
        if rules.len() > MAX_RULES {
            return Err(format!("a policy may have at most {MAX_RULES} rules"));
        }
        let globs = |v: &[String]| {
            v.iter()
                .map(|p| Glob::new(p))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Policy {
            repositories: globs(repositories)?,
            exclude_repositories: globs(exclude_repositories)?,
            rules: rules.iter().map(Rule::new).collect::<Result<_, _>>()?,
            delay,
            allow_empty,
            undo_window,
        })
    }

    /// Whether the repository named `name` (its full name, `namespace/...`) is covered: it
    /// matches one of `repositories` (or that list is empty) and none of
    /// `exclude_repositories`. A pattern is tried against the full name and, when the policy
    /// belongs to `namespace`, against the name within it too (`app` for `ns/app`).
    pub fn covers(&self, name: &str, namespace: Option<&str>) -> bool {
        let short = namespace
            .and_then(|ns| name.strip_prefix(ns))
            .and_then(|rest| rest.strip_prefix('/'));
        let hit = |g: &Glob| g.matches(name) || short.is_some_and(|s| g.matches(s));
        (self.repositories.is_empty() || self.repositories.iter().any(hit))
            && !self.exclude_repositories.iter().any(hit)
    }
}

/// Compiles `pattern` to match whole tag names.
fn anchored(pattern: &str) -> Result<Regex, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "a tag pattern may have at most {MAX_PATTERN_LEN} characters"
        ));
    }
    RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("'{pattern}' is not a valid regular expression: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_in_their_largest_unit() {
        for (text, secs, shown) in [
            ("0s", 0, "0s"),
            ("90m", 5400, "90m"),
            ("24h", 86_400, "1d"),
            ("7d", 604_800, "7d"),
            ("2w", 1_209_600, "14d"),
            ("36h", 129_600, "36h"),
        ] {
            let s: Span = text.parse().unwrap();
            assert_eq!(s.seconds(), secs);
            assert_eq!(s.to_string(), shown);
        }
        for bad in ["", "7", "d", "-1d", "1y", "1.5h", "99999999999999w", "७d"] {
            assert!(bad.parse::<Span>().is_err(), "{bad}");
        }
    }

    #[test]
    fn globs_match_within_or_across_segments() {
        let g = |p: &str| Glob::new(p).unwrap();
        assert!(g("library/*").matches("library/alpine"));
        assert!(!g("library/*").matches("library/tools/jq"));
        assert!(g("library/**").matches("library/tools/jq"));
        assert!(g("**").matches("a/b/c"));
        assert!(g("a/**/b").matches("a/b"));
        assert!(g("a/**/b").matches("a/x/y/b"));
        assert!(g("app-?").matches("app-1"));
        assert!(!g("app.1").matches("app-1"), "dots are literal");
        assert!(Glob::new("").is_err());
    }

    #[test]
    fn a_rule_needs_exactly_one_keep_key_and_valid_anchored_patterns() {
        let spec = |j: serde_json::Value| serde_json::from_value::<RuleSpec>(j).unwrap();
        let r = Rule::new(&spec(
            serde_json::json!({"tags": "v.*", "latest_pushed": 5}),
        ))
        .unwrap();
        assert_eq!(r.keep, Keep::LatestPushed(5));
        assert!(r.selects_tag("v1.2"));
        assert!(!r.selects_tag("dev-v1"), "anchored at the start");
        let r = Rule::new(&spec(
            serde_json::json!({"exclude_tags": "dev", "always": true}),
        ));
        let r = r.unwrap();
        assert!(r.selects_tag("develop") && !r.selects_tag("dev"));
        assert!(Rule::new(&spec(serde_json::json!({"tags": "v.*"}))).is_err());
        assert!(Rule::new(&spec(
            serde_json::json!({"latest_pushed": 1, "pulled_within": "7d"})
        ))
        .is_err());
        assert!(Rule::new(&spec(serde_json::json!({"always": false}))).is_err());
        assert!(Rule::new(&spec(serde_json::json!({"tags": "(", "always": true}))).is_err());
        assert!(serde_json::from_value::<RuleSpec>(serde_json::json!({"keep": 1})).is_err());
        let huge = "a{1000}{1000}{1000}";
        assert!(Rule::new(&spec(serde_json::json!({"tags": huge, "always": true}))).is_err());
    }

    #[test]
    fn a_policy_covers_repositories_by_full_or_namespace_relative_name() {
        let p = |inc: &[&str], exc: &[&str]| {
            let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            Policy::new(
                &v(inc),
                &v(exc),
                &[],
                Span::default(),
                false,
                Span::default(),
            )
            .unwrap()
        };
        assert!(
            p(&[], &[]).covers("ns/app", None),
            "no patterns: everything"
        );
        assert!(p(&["ns/*"], &[]).covers("ns/app", None));
        assert!(p(&["app"], &[]).covers("ns/app", Some("ns")));
        assert!(!p(&["app"], &[]).covers("ns/app", None));
        assert!(!p(&["**"], &["*/tmp-*"]).covers("ns/tmp-1", None));
        let many = vec![
            RuleSpec {
                always: Some(true),
                ..Default::default()
            };
            MAX_RULES + 1
        ];
        assert!(Policy::new(&[], &[], &many, Span::default(), false, Span::default()).is_err());
    }
}
