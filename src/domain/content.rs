//! The one list of content kinds a push repository holds (blobs, manifests, tags) and their
//! names: the `content_type` value stored per unit and used as content-summary key (`blob`),
//! Pulp's model name (`container.blob`, summary key and PRN model) and the URL segment
//! (`blobs`). Everything that differs per kind (summary keys, content lists and hrefs, orphan
//! statements, OpenAPI content paths) matches on [`ContentKind`] without a catch-all arm, so a
//! new variant is a compile error everywhere it still needs an answer.
use serde::{Deserialize, Serialize};

/// A kind of content unit. Serializes as its stored name (`"blob"`, `"manifest"`, `"tag"`);
/// the derived order is that of the names, so maps keyed by kind serialize as they did when
/// keyed by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    Blob,
    Manifest,
    Tag,
}

impl ContentKind {
    /// Every kind, in declaration order.
    pub fn all() -> impl Iterator<Item = ContentKind> {
        std::iter::successors(Some(ContentKind::Blob), |k| k.next())
    }

    /// The kind after this one in declaration order (what [`all`](Self::all) walks).
    fn next(self) -> Option<ContentKind> {
        match self {
            ContentKind::Blob => Some(ContentKind::Manifest),
            ContentKind::Manifest => Some(ContentKind::Tag),
            ContentKind::Tag => None,
        }
    }

    /// The stored name: the `content_type` column and the content-summary key.
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Blob => "blob",
            ContentKind::Manifest => "manifest",
            ContentKind::Tag => "tag",
        }
    }

    /// The kind stored as `name`, if any.
    pub fn parse(name: &str) -> Option<ContentKind> {
        ContentKind::all().find(|k| k.as_str() == name)
    }

    /// Pulp's model name: the key in a version's `content_summary` and the PRN model.
    pub fn model(self) -> &'static str {
        match self {
            ContentKind::Blob => "container.blob",
            ContentKind::Manifest => "container.manifest",
            ContentKind::Tag => "container.tag",
        }
    }

    /// The URL segment of the kind's content list (`blobs`).
    pub fn plural(self) -> &'static str {
        match self {
            ContentKind::Blob => "blobs",
            ContentKind::Manifest => "manifests",
            ContentKind::Tag => "tags",
        }
    }

    /// The kind whose URL segment is `segment`, if any.
    pub fn from_plural(segment: &str) -> Option<ContentKind> {
        ContentKind::all().find(|k| k.plural() == segment)
    }
}

impl std::fmt::Display for ContentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ContentKind::{self, *};
    use std::collections::BTreeMap;

    #[test]
    fn names_are_the_stored_and_wire_strings() {
        assert_eq!(
            ContentKind::all().collect::<Vec<_>>(),
            [Blob, Manifest, Tag]
        );
        for k in ContentKind::all() {
            assert_eq!(ContentKind::parse(k.as_str()), Some(k));
            assert_eq!(ContentKind::from_plural(k.plural()), Some(k));
            assert_eq!(k.model(), format!("container.{}", k.as_str()));
            assert_eq!(k.plural(), format!("{}s", k.as_str()));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(ContentKind::parse("blobs"), None);
        assert_eq!(ContentKind::from_plural("blob"), None);
    }

    #[test]
    fn maps_keyed_by_kind_serialize_like_maps_keyed_by_name() {
        let by_kind: BTreeMap<ContentKind, i64> = [(Tag, 1), (Blob, 2), (Manifest, 3)].into();
        let by_name: BTreeMap<&str, i64> = [("tag", 1), ("blob", 2), ("manifest", 3)].into();
        assert_eq!(
            serde_json::to_string(&by_kind).unwrap(),
            serde_json::to_string(&by_name).unwrap()
        );
        let back: BTreeMap<ContentKind, i64> =
            serde_json::from_str(r#"{"blob":2,"tag":1}"#).unwrap();
        assert_eq!(back, [(Blob, 2), (Tag, 1)].into());
    }
}
