//! What restoring a repository version changes: the content that version held and the latest
//! lacks, and the content the latest holds and that version lacked. Each side is one statement
//! over `repository_content` (a version's content is a range query on its membership rows).
use super::all;
use crate::domain::content::ContentKind;
use sea_orm::{ConnectionTrait, DbErr, Value};
use uuid::Uuid;

/// "Row `rc` is content of version `?` of its repository" (takes the number twice).
const IN_VERSION: &str =
    "rc.version_added <= ? AND (rc.version_removed IS NULL OR rc.version_removed > ?)";

/// `(content to add, content to remove)` to make the latest version of `repo` equal version
/// `number` (which the caller checked is kept).
pub async fn diff_to(
    c: &impl ConnectionTrait,
    repo: Uuid,
    number: i64,
) -> Result<(Vec<(Uuid, ContentKind)>, Vec<(Uuid, ContentKind)>), DbErr> {
    let add = format!(
        "SELECT DISTINCT rc.content_id, rc.content_type FROM repository_content rc \
         WHERE rc.repository_id = ? AND {IN_VERSION} \
         AND NOT EXISTS (SELECT 1 FROM repository_content cur WHERE cur.repository_id = rc.repository_id \
         AND cur.content_id = rc.content_id AND cur.version_removed IS NULL)"
    );
    let remove = format!(
        "SELECT rc.content_id, rc.content_type FROM repository_content rc \
         WHERE rc.repository_id = ? AND rc.version_removed IS NULL \
         AND NOT EXISTS (SELECT 1 FROM repository_content old WHERE old.repository_id = rc.repository_id \
         AND old.content_id = rc.content_id AND {})",
        IN_VERSION.replace("rc.", "old.")
    );
    let values = || -> Vec<Value> { vec![repo.into(), number.into(), number.into()] };
    Ok((
        rows(c, &add, values()).await?,
        rows(c, &remove, values()).await?,
    ))
}

async fn rows(
    c: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<(Uuid, ContentKind)>, DbErr> {
    all(c, sql, values)
        .await?
        .iter()
        .map(|r| {
            let name: String = r.try_get_by_index(1)?;
            let kind = ContentKind::parse(&name)
                .ok_or_else(|| DbErr::Type(format!("unknown content type '{name}'")))?;
            Ok((r.try_get_by_index(0)?, kind))
        })
        .collect()
}
