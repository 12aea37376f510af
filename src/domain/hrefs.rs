//! Pulp-style hrefs and PRNs for every resource, and Pulp's timestamp format. Pure strings.
use super::content::ContentKind;
use uuid::Uuid;

pub const ROOT: &str = "/pulp/api/v3/";

pub fn namespace(id: Uuid) -> String {
    format!("{ROOT}pulp_container/namespaces/{id}/")
}
pub fn distribution(id: Uuid) -> String {
    format!("{ROOT}distributions/container/container/{id}/")
}
/// The push-repository list (every push repository's href starts with it).
pub const PUSH_REPOSITORIES: &str = "/pulp/api/v3/repositories/container/container-push/";

pub fn push_repository(id: Uuid) -> String {
    format!("{PUSH_REPOSITORIES}{id}/")
}
pub fn version(repo: Uuid, number: i64) -> String {
    format!("{}versions/{number}/", push_repository(repo))
}
/// The plain container repository list (every such repository's href starts with it).
pub const CONTAINER_REPOSITORIES: &str = "/pulp/api/v3/repositories/container/container/";
pub const CONTAINER_REPOSITORY_MODEL: &str = "container.containerrepository";

pub fn container_repository(id: Uuid) -> String {
    format!("{CONTAINER_REPOSITORIES}{id}/")
}
pub fn container_version(repo: Uuid, number: i64) -> String {
    format!("{}versions/{number}/", container_repository(repo))
}
/// A version's href, by the kind of its repository.
pub fn any_version(repo: Uuid, number: i64, container: bool) -> String {
    match container {
        true => container_version(repo, number),
        false => version(repo, number),
    }
}
/// The kind of repository a version href names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionOf {
    Push,
    Container,
}

/// `(kind, repository id, number)` of a version href `<repository href>versions/<n>/` of a push
/// or a plain container repository.
pub fn parse_version(href: &str) -> Option<(VersionOf, Uuid, i64)> {
    let (kind, rest) = match href.strip_prefix(PUSH_REPOSITORIES) {
        Some(rest) => (VersionOf::Push, rest),
        None => (
            VersionOf::Container,
            href.strip_prefix(CONTAINER_REPOSITORIES)?,
        ),
    };
    let (id, rest) = rest.split_once("/versions/")?;
    let number: i64 = rest.strip_suffix('/')?.parse().ok()?;
    if number < 0 || rest.starts_with('+') {
        return None;
    }
    Some((kind, Uuid::parse_str(id).ok()?, number))
}
pub fn task(id: Uuid) -> String {
    format!("{ROOT}tasks/{id}/")
}
/// The retention-policy list (a berth extension; every policy's href starts with it).
pub const RETENTION_POLICIES: &str = "/pulp/api/v3/retention_policies/";

pub fn retention_policy(id: Uuid) -> String {
    format!("{RETENTION_POLICIES}{id}/")
}
/// The list of one kind of content, `/pulp/api/v3/content/container/blobs/`.
pub fn content_list(kind: ContentKind) -> &'static str {
    match kind {
        ContentKind::Blob => "/pulp/api/v3/content/container/blobs/",
        ContentKind::Manifest => "/pulp/api/v3/content/container/manifests/",
        ContentKind::Tag => "/pulp/api/v3/content/container/tags/",
    }
}
pub fn content(kind: ContentKind, id: Uuid) -> String {
    format!("{}{id}/", content_list(kind))
}
/// The id in a content href or PRN of `kind`.
pub fn content_id_of(kind: ContentKind, href: &str) -> Option<Uuid> {
    parse_id(href, content_list(kind), kind.model())
}
/// The kind and id in a content href or PRN of any kind.
pub fn content_id(href: &str) -> Option<(ContentKind, Uuid)> {
    ContentKind::all().find_map(|k| content_id_of(k, href).map(|id| (k, id)))
}

pub fn prn(model: &str, id: Uuid) -> String {
    format!("prn:{model}:{id}")
}

/// Pulp's model names, the middle of a PRN.
pub const NAMESPACE_MODEL: &str = "container.containernamespace";
pub const DISTRIBUTION_MODEL: &str = "container.containerdistribution";
pub const PUSH_REPOSITORY_MODEL: &str = "container.containerpushrepository";
pub const VERSION_MODEL: &str = "core.repositoryversion";
pub const TASK_MODEL: &str = "core.task";
pub const RETENTION_POLICY_MODEL: &str = "berth.retentionpolicy";

pub fn distribution_prn(id: Uuid) -> String {
    prn(DISTRIBUTION_MODEL, id)
}
/// A repository version's PRN names the version's own id (not the repository's).
pub fn version_prn(version_id: Uuid) -> String {
    prn(VERSION_MODEL, version_id)
}
pub fn task_prn(id: Uuid) -> String {
    prn(TASK_MODEL, id)
}
/// The task-schedule list (every schedule's href starts with it).
pub const TASK_SCHEDULES: &str = "/pulp/api/v3/task-schedules/";
pub const TASK_SCHEDULE_MODEL: &str = "core.taskschedule";
pub fn task_schedule(id: Uuid) -> String {
    format!("{TASK_SCHEDULES}{id}/")
}

/// The id in a PRN `prn:<model>:<uuid>`.
pub fn parse_prn(prn: &str, model: &str) -> Option<Uuid> {
    let rest = prn
        .strip_prefix("prn:")?
        .strip_prefix(model)?
        .strip_prefix(':')?;
    Uuid::parse_str(rest).ok()
}

/// The id in an href of the form `<prefix><uuid>/` (or a PRN `prn:<model>:<uuid>`).
pub fn parse_id(href: &str, prefix: &str, prn_model: &str) -> Option<Uuid> {
    if href.starts_with("prn:") {
        return parse_prn(href, prn_model);
    }
    let rest = href.strip_prefix(prefix)?.strip_suffix('/')?;
    Uuid::parse_str(rest).ok()
}

/// `2026-06-03T19:16:40.534341Z`
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The PRN of an href naming a namespace, distribution, push repository, task or retention
/// policy.
pub fn href_to_prn(href: &str) -> Option<String> {
    let known = [
        ("pulp_container/namespaces/", "container.containernamespace"),
        (
            "distributions/container/container/",
            "container.containerdistribution",
        ),
        (
            "repositories/container/container-push/",
            PUSH_REPOSITORY_MODEL,
        ),
        ("tasks/", "core.task"),
        ("retention_policies/", RETENTION_POLICY_MODEL),
    ];
    for (segment, model) in known {
        if let Some(id) = parse_id(href, &format!("{ROOT}{segment}"), model) {
            return Some(prn(model, id));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_and_prns_round_trip_to_ids() {
        let id = Uuid::now_v7();
        let h = namespace(id);
        assert_eq!(
            parse_id(
                &h,
                &format!("{ROOT}pulp_container/namespaces/"),
                "container.containernamespace"
            ),
            Some(id)
        );
        let p = prn("container.containernamespace", id);
        assert_eq!(parse_id(&p, "x", "container.containernamespace"), Some(id));
        assert_eq!(parse_id("/nope/", "/pulp/", "m"), None);
    }

    #[test]
    fn content_hrefs_and_prns_round_trip() {
        let id = Uuid::now_v7();
        for k in ContentKind::all() {
            let h = content(k, id);
            assert_eq!(h, format!("{ROOT}content/container/{}s/{id}/", k.as_str()));
            assert_eq!(content_id(&h), Some((k, id)));
            assert_eq!(content_id(&prn(k.model(), id)), Some((k, id)));
        }
        assert_eq!(
            content_id(&format!("{ROOT}content/container/blob/{id}/")),
            None
        );
    }

    #[test]
    fn version_hrefs_name_their_repository_kind() {
        let id = Uuid::now_v7();
        assert_eq!(
            parse_version(&version(id, 3)),
            Some((VersionOf::Push, id, 3))
        );
        assert_eq!(
            parse_version(&container_version(id, 0)),
            Some((VersionOf::Container, id, 0))
        );
        for bad in [
            container_repository(id),
            format!("{}versions/-1/", container_repository(id)),
            format!("{}versions/+1/", container_repository(id)),
            format!("{}versions/1", container_repository(id)),
            format!("{ROOT}repositories/container/other/{id}/versions/1/"),
        ] {
            assert_eq!(parse_version(&bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_have_microseconds_and_a_z() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-06-03T19:16:40.534341Z")
            .unwrap()
            .to_utc();
        assert_eq!(timestamp(t), "2026-06-03T19:16:40.534341Z");
    }
}
