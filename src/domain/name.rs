//! Repository names and references, following the OCI distribution-spec grammar.
//! A name is `<component>(/<component>)*`; its first component is berth's namespace.
use super::digest::Digest;

/// Longest repository name accepted (the spec suggests clients keep host+name under 255).
pub const MAX_NAME_LEN: usize = 255;
pub const MAX_TAG_LEN: usize = 128;

/// A validated repository name such as `library/alpine` or `team/app/api`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RepoName(String);

impl RepoName {
    pub fn parse(s: &str) -> Option<RepoName> {
        if s.is_empty() || s.len() > MAX_NAME_LEN {
            return None;
        }
        s.split('/')
            .all(component_ok)
            .then(|| RepoName(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The namespace: the first path component.
    pub fn namespace(&self) -> &str {
        self.0.split('/').next().unwrap_or(&self.0)
    }
}

impl std::fmt::Display for RepoName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let dashes = sep.bytes().all(|x| x == b'-');
        if !(sep == "." || sep == "_" || sep == "__" || dashes) {
            return false;
        }
    }
    true
}

/// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`
pub fn tag_ok(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TAG_LEN
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b[1..]
            .iter()
            .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'_' | b'.' | b'-'))
}

/// A manifest reference: a tag or a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    Tag(String),
    Digest(Digest),
}

/// Why a string is not a [`Reference`] (`crate::error::Error` converts it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceError {
    /// It has a `:` but is not a valid digest; the digest error's message.
    Digest(String),
    /// It is not a valid tag; the string, cut to 200 characters.
    Tag(String),
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        if s.contains(':') {
            s.parse::<Digest>()
                .map(Reference::Digest)
                .map_err(|e| ReferenceError::Digest(e.to_string()))
        } else if tag_ok(s) {
            Ok(Reference::Tag(s.to_string()))
        } else {
            Err(ReferenceError::Tag(s.chars().take(200).collect()))
        }
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::Tag(t) => f.write_str(t),
            Reference::Digest(d) => write!(f, "{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_distribution_spec_grammar() {
        for ok in [
            "a",
            "library/alpine",
            "a/b/c/d",
            "my-app",
            "a__b",
            "a.b_c",
            "x---y",
        ] {
            assert!(RepoName::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "", "A", "a//b", "/a", "a/", "a_-b", "-a", "a.", "a___b", "a b", "a/../b",
        ] {
            assert!(RepoName::parse(bad).is_none(), "{bad}");
        }
        assert!(RepoName::parse(&"a".repeat(256)).is_none());
    }

    #[test]
    fn the_namespace_is_the_first_component() {
        assert_eq!(RepoName::parse("team/app/api").unwrap().namespace(), "team");
        assert_eq!(RepoName::parse("solo").unwrap().namespace(), "solo");
    }

    #[test]
    fn tags_follow_the_distribution_spec_grammar() {
        assert!(tag_ok("latest") && tag_ok("_x") && tag_ok("v1.2.3-rc_1"));
        assert!(!tag_ok("") && !tag_ok(".x") && !tag_ok("-x") && !tag_ok("a/b"));
        assert!(tag_ok(&"a".repeat(128)) && !tag_ok(&"a".repeat(129)));
    }
}
