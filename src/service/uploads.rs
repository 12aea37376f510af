//! Blob uploads: sessions (chunked, resumable, continued by any replica), monolithic pushes and
//! cross-repository mounts. Bytes are hashed once, while streamed into staged parts (the running
//! hash is kept with the session); the digest is verified from it before anything is committed.
//!
//! Finishing a blob (`commit_blob`) keeps the database write transaction short and never joins
//! parts inside it, yet keeps ARCHITECTURE.md §5 (never a row without bytes):
//! 1. Outside any transaction, the verified bytes are placed at the content address
//!    (`blobs/<alg>/<xx>/<hex>`): one part is copied (a hard link on local disk, a server-side
//!    copy on S3), several are concatenated, and the staged parts are kept. Bytes without a row
//!    are what orphan cleanup's stray-bytes sweep deletes (under the digest lock, once older than
//!    the protection time), and what it may already have deleted by step 2.
//! 2. In a short write transaction under `lock_digest` (the lock cleanup takes to delete bytes),
//!    the bytes are checked again (a HEAD) and, in the rare case a cleanup removed them meanwhile,
//!    placed again from the kept parts; then the row is upserted, made pending in the repository
//!    and the session row deleted. Cleanup cannot delete the bytes between this check and the
//!    commit (it needs the lock), nor after (the row exists, touched now and pending).
//! 3. After the commit the staged parts are deleted; a crash before leaves them to upload expiry.
//!
//! `BERTH_MAX_BLOB_SIZE` is enforced while streaming, counted across a session's chunks; the
//! namespace's quota (`service::quotas`) before the bytes are placed and again in step 2.
use super::quotas;
// Every upload writes: a path serving a plain container repository is read-only.
use super::repositories::{ensure, require_push as require};
use crate::domain::content::ContentKind;
use crate::domain::digest::{Algorithm, Digest, Hasher};
use crate::domain::name::RepoName;
use crate::error::{Error, Result};
use crate::repo::{content, uploads as q, Db};
use crate::storage::{keys, BlobStore, WriteError};
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt};
use uuid::Uuid;

/// Where an upload session stands.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub offset: u64,
}

/// The outcome of `POST …/blobs/uploads/?mount=`.
pub enum MountOutcome {
    Mounted(Digest),
    Session(Session),
}

/// Maps a storage write failure; `limit` is the configured maximum blob size, if any.
fn write_error(e: WriteError, limit: Option<u64>) -> Error {
    match e {
        WriteError::Body(msg) => Error::UploadInvalid(format!("request body: {msg}")),
        WriteError::TooLarge => Error::SizeInvalid(match limit {
            Some(l) => format!(
                "the blob is larger than this registry's maximum blob size of {l} bytes \
                 (BERTH_MAX_BLOB_SIZE)"
            ),
            None => "body too large".into(),
        }),
        WriteError::Store(e) => Error::Storage(e),
    }
}

/// Who opens a session, and how many open sessions they may have (0: no limit).
#[derive(Debug, Clone, Copy)]
pub struct Opener {
    pub user: Option<Uuid>,
    pub max_sessions: u64,
}

pub async fn start(db: &Db, name: &RepoName, by: Opener) -> Result<Session> {
    let repo = ensure(db, name).await?;
    let id = Uuid::now_v7();
    let hash = Hasher::new(Algorithm::Sha256).serialize();
    if !q::create(&db.conn, id, repo.id, hash, by.user, by.max_sessions).await? {
        return Err(Error::TooManyRequests {
            reason: format!(
                "too many open upload sessions (at most {}); finish or cancel some first",
                by.max_sessions
            ),
            retry_after: 60,
        });
    }
    Ok(Session { id, offset: 0 })
}

pub async fn status(db: &Db, name: &RepoName, id: Uuid) -> Result<Session> {
    let repo = require(db, name).await?;
    let up = q::get(&db.conn, id, repo.id)
        .await?
        .ok_or(Error::UploadUnknown)?;
    Ok(Session {
        id,
        offset: up.offset as u64,
    })
}

/// Appends a chunk. `range` is the request's `Content-Range` (inclusive), if it sent one;
/// `limit` is the maximum blob size (the session's bytes so far count against it).
pub async fn append<S, E>(
    db: &Db,
    store: &BlobStore,
    name: &RepoName,
    id: Uuid,
    range: Option<(u64, u64)>,
    body: S,
    limit: Option<u64>,
) -> Result<Session>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let repo = require(db, name).await?;
    let up = q::get(&db.conn, id, repo.id)
        .await?
        .ok_or(Error::UploadUnknown)?;
    Ok(append_to(db, store, up, range, body, limit).await?.0)
}

/// Appends `body` to the loaded session `up`; returns the session, its running hash and parts.
async fn append_to<S, E>(
    db: &Db,
    store: &BlobStore,
    up: q::UploadRow,
    range: Option<(u64, u64)>,
    body: S,
    limit: Option<u64>,
) -> Result<(Session, Hasher, Vec<String>)>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let id = up.id;
    let offset = up.offset as u64;
    if let Some((start, end)) = range {
        if start != offset || end < start {
            return Err(Error::RangeInvalid { offset });
        }
    }
    let mut hasher = Hasher::deserialize(&up.hash_state)
        .ok_or_else(|| Error::Internal(format!("upload {id} has a corrupt hash state")))?;
    let key = keys::upload_part(id);
    let room = limit.map(|l| l.saturating_sub(offset));
    let n = store
        .write_stream(&key, body, &mut hasher, room)
        .await
        .map_err(|e| write_error(e, limit))?;
    if let Some((start, end)) = range {
        if end - start + 1 != n {
            store.delete(&key).await?;
            return Err(Error::RangeInvalid { offset });
        }
    }
    let mut parts = up.parts;
    if n == 0 {
        store.delete(&key).await?;
        return Ok((Session { id, offset }, hasher, parts));
    }
    parts.push(key.clone());
    let to = offset + n;
    if !q::advance(
        &db.conn,
        id,
        up.offset,
        to as i64,
        hasher.serialize(),
        &parts,
    )
    .await?
    {
        store.delete(&key).await?;
        return Err(Error::RangeInvalid { offset });
    }
    Ok((Session { id, offset: to }, hasher, parts))
}

/// Completes a session with `digest`, after appending `body` (possibly empty; `range` is its
/// `Content-Range`, checked like a PATCH's).
#[allow(clippy::too_many_arguments)]
pub async fn finish<S, E>(
    db: &Db,
    store: &BlobStore,
    name: &RepoName,
    id: Uuid,
    digest: &Digest,
    range: Option<(u64, u64)>,
    body: S,
    limit: Option<u64>,
) -> Result<()>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let repo = require(db, name).await?;
    let up = q::get(&db.conn, id, repo.id)
        .await?
        .ok_or(Error::UploadUnknown)?;
    let (session, hasher, parts) = append_to(db, store, up, range, body, limit).await?;
    let actual = if digest.algorithm() == hasher.algorithm() {
        hasher.finish()
    } else {
        rehash(store, &parts, digest.algorithm()).await?
    };
    if &actual != digest {
        discard(db, store, id, &parts).await?;
        return Err(Error::DigestInvalid(format!(
            "upload content has digest {actual}, not {digest}"
        )));
    }
    let committed = commit_blob(db, store, repo.id, digest, &parts, session.offset, Some(id)).await;
    if let Err(Error::Forbidden(_)) = &committed {
        // Refused by the namespace's quota: the session and its bytes go.
        discard(db, store, id, &parts).await?;
    }
    committed
}

/// `POST …/blobs/uploads/?digest=`: the whole blob in one request.
pub async fn monolithic<S, E>(
    db: &Db,
    store: &BlobStore,
    name: &RepoName,
    digest: &Digest,
    body: S,
    limit: Option<u64>,
) -> Result<()>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let repo = ensure(db, name).await?;
    let key = keys::scratch();
    let mut hasher = Hasher::new(digest.algorithm());
    // Not synced: `place_bytes` syncs the bytes once, where they end up.
    let n = store
        .write_scratch(&key, body, &mut hasher, limit)
        .await
        .map_err(|e| write_error(e, limit))?;
    let actual = hasher.finish();
    if &actual != digest {
        store.delete(&key).await?;
        return Err(Error::DigestInvalid(format!(
            "upload content has digest {actual}, not {digest}"
        )));
    }
    let committed = commit_blob(
        db,
        store,
        repo.id,
        digest,
        std::slice::from_ref(&key),
        n,
        None,
    )
    .await;
    if committed.is_err() {
        // No session owns this staging copy; do not leave it to the expiry.
        let _ = store.delete(&key).await;
    }
    committed
}

/// Places the verified bytes and commits the blob row (see the module doc for why this order
/// is safe against a concurrent orphan cleanup). `session` is deleted in the same transaction.
async fn commit_blob(
    db: &Db,
    store: &BlobStore,
    repo: Uuid,
    digest: &Digest,
    parts: &[String],
    size: u64,
    session: Option<Uuid>,
) -> Result<()> {
    let digest_s = digest.to_string();
    // Most refusals are found before any bytes are placed; the check under the locks decides.
    quotas::check_blob(&db.conn, repo, &digest_s, size).await?;
    place_bytes(store, digest, parts, size).await?;
    let txn = db.begin_write().await?;
    content::lock_digest(&*txn, &digest_s).await?;
    if let Err(e) = quotas::check_blob(&*txn, repo, &digest_s, size).await {
        // Bytes placed here that no row owns are this upload's: take them back (under the
        // digest lock, so no concurrent commit of the same digest is between its placing and
        // its row).
        if content::blob_global(&*txn, &digest_s).await?.is_none() {
            store.delete(&keys::blob(digest)).await?;
        }
        return Err(e);
    }
    place_bytes(store, digest, parts, size).await?;
    let blob = content::upsert_blob(&*txn, &digest.to_string(), size).await?;
    content::add_pending(&*txn, repo, blob, ContentKind::Blob).await?;
    if let Some(id) = session {
        q::delete(&*txn, id).await?;
    }
    txn.commit().await?;
    crate::telemetry::metrics::global().bytes_pushed(size);
    for part in parts {
        if let Err(e) = store.delete(part).await {
            tracing::warn!(error = %e, part, "could not delete a staged upload part");
        }
    }
    Ok(())
}

/// `POST …/blobs/uploads/?mount=<digest>&from=<repo>`: links the blob when `from` has it,
/// otherwise opens a session as the spec asks.
pub async fn mount(
    db: &Db,
    name: &RepoName,
    digest: &Digest,
    from: Option<&RepoName>,
    by: Opener,
) -> Result<MountOutcome> {
    if let Some(from) = from {
        if let Some(source) = super::repositories::resolve(db, from).await? {
            let found =
                content::blob_in(&db.conn, source.id, source.snapshot(), &digest.to_string())
                    .await?;
            if let Some(blob) = found {
                let repo = ensure(db, name).await?;
                let txn = db.begin_write().await?;
                content::lock_digest(&*txn, &digest.to_string()).await?;
                quotas::check_blob(&*txn, repo.id, &digest.to_string(), blob.size as u64).await?;
                content::upsert_blob(&*txn, &digest.to_string(), blob.size as u64).await?;
                content::add_pending(&*txn, repo.id, blob.id, ContentKind::Blob).await?;
                txn.commit().await?;
                return Ok(MountOutcome::Mounted(digest.clone()));
            }
        }
    }
    Ok(MountOutcome::Session(start(db, name, by).await?))
}

pub async fn cancel(db: &Db, store: &BlobStore, name: &RepoName, id: Uuid) -> Result<()> {
    let repo = require(db, name).await?;
    let up = q::get(&db.conn, id, repo.id)
        .await?
        .ok_or(Error::UploadUnknown)?;
    discard(db, store, id, &up.parts).await
}

async fn discard(db: &Db, store: &BlobStore, id: Uuid, parts: &[String]) -> Result<()> {
    q::delete(&db.conn, id).await?;
    for part in parts {
        store.delete(part).await?;
    }
    Ok(())
}

/// Recomputes the digest of the staged parts with another algorithm (rare: sha512 pushes).
async fn rehash(store: &BlobStore, parts: &[String], algorithm: Algorithm) -> Result<Digest> {
    let mut hasher = Hasher::new(algorithm);
    for part in parts {
        let mut s = store.read(part, None).await?;
        while let Some(chunk) = s.try_next().await? {
            hasher.update(&chunk);
        }
    }
    Ok(hasher.finish())
}

/// Puts the verified bytes at the blob's content address, keeping `parts` (an existing copy
/// of the right size is kept). Cheap when the bytes are already there: one HEAD.
async fn place_bytes(
    store: &BlobStore,
    digest: &Digest,
    parts: &[String],
    size: u64,
) -> Result<()> {
    let key = keys::blob(digest);
    if store.size(&key).await? == Some(size) {
        return Ok(());
    }
    match parts {
        [] => store.put_bytes(&key, Bytes::new()).await?,
        [one] if store.copy_limit().is_none_or(|l| size <= l) => store.copy(one, &key).await?,
        many => {
            store
                .concat(many, &key)
                .await
                .map_err(|e| write_error(e, None))?;
        }
    }
    Ok(())
}

/// A body stream that yields nothing (for finishing without a final chunk).
pub fn empty_body() -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Unpin {
    futures::stream::empty().boxed()
}
