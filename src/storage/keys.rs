//! The key layout of the object store, the one place keys are built and read back (the layout
//! itself is described in the `storage` module header). Services name what they store (a blob
//! by its digest, a part of an upload) and never spell a key.
use crate::domain::digest::Digest;
use uuid::Uuid;

/// The directory (prefix without its slash) of stored blobs.
pub const BLOBS_DIR: &str = "blobs";
/// The directory (prefix without its slash) of staged upload parts.
pub const UPLOADS_DIR: &str = "uploads";
/// The prefix under which every stored blob is listed.
pub const BLOBS: &str = "blobs/";
/// The prefix under which every staged upload part is listed.
pub const UPLOADS: &str = "uploads/";

/// `blobs/<alg>/<first 2 hex>/<hex>`: where the bytes of `digest` are kept.
pub fn blob(digest: &Digest) -> String {
    let hex = digest.hex();
    format!(
        "{BLOBS_DIR}/{}/{}/{hex}",
        digest.algorithm().name(),
        &hex[..2]
    )
}

/// The digest whose bytes `key` holds, if `key` is exactly the [`blob`] key of a digest.
pub fn blob_digest(key: &str) -> Option<Digest> {
    let mut parts = key.split('/');
    let (top, alg, pre, hex) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if top != BLOBS_DIR || parts.next().is_some() || !hex.starts_with(pre) {
        return None;
    }
    let d: Digest = format!("{alg}:{hex}").parse().ok()?;
    (blob(&d) == key).then_some(d)
}

/// `uploads/<owner>/<new uuid>`: a new key for one staged part of the upload session `owner`.
pub fn upload_part(owner: Uuid) -> String {
    format!("{UPLOADS_DIR}/{owner}/{}", Uuid::new_v4())
}

/// A new key for the staging copy of a monolithic push, which has no session: a part whose
/// owner is a fresh id that no session row has (upload expiry removes it if the push dies).
pub fn scratch() -> String {
    upload_part(Uuid::now_v7())
}

/// Whether `key` is under [`UPLOADS`] (a staged part, or something misplaced there).
pub fn is_upload(key: &str) -> bool {
    key.starts_with(UPLOADS)
}

/// The owner segment (`<owner>` of `uploads/<owner>/<part>`) of an upload part key.
pub fn part_owner(key: &str) -> Option<&str> {
    match key.split('/').collect::<Vec<_>>().as_slice() {
        [top, owner, part] if *top == UPLOADS_DIR && !owner.is_empty() && !part.is_empty() => {
            Some(owner)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "aa00000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn blob_keys_are_content_addressed_and_read_back() {
        let d: Digest = format!("sha256:{HEX}").parse().unwrap();
        assert_eq!(blob(&d), format!("blobs/sha256/aa/{HEX}"));
        assert_eq!(blob_digest(&blob(&d)), Some(d.clone()));
        assert_eq!(blob_digest(&format!("blobs/sha256/ab/{HEX}")), None);
        assert_eq!(blob_digest(&format!("blobs/sha256/aa/{HEX}/x")), None);
        assert_eq!(blob_digest("blobs/sha256/aa/short"), None);
        assert_eq!(blob_digest("other/x"), None);
    }

    #[test]
    fn upload_parts_name_their_owner() {
        let id = Uuid::now_v7();
        let k = upload_part(id);
        assert!(is_upload(&k));
        assert_eq!(part_owner(&k), Some(id.to_string().as_str()));
        assert_ne!(upload_part(id), k);
        assert!(is_upload(&scratch()));
        assert_eq!(part_owner("uploads/x"), None);
        assert_eq!(part_owner("uploads//p"), None);
        assert_eq!(part_owner(&format!("blobs/sha256/aa/{HEX}")), None);
    }
}
