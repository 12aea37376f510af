//! The operations of plain container repositories and their versions, with Pulp 2.28's
//! operationIds, tags (client classes `RepositoriesContainerApi`,
//! `RepositoriesContainerVersionsApi`) and href parameter names. No `sync`: berth has no
//! remotes.
use super::container_paths::object_roles;
use super::ops::{Loc, Op};
use crate::api::pulp::{filters, repositories, versions};
use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

const REPO: &str = "container_container_repository_href";
const REPO_PK: &str = "/pulp/api/v3/repositories/container/container/{pulp_id}/";
const VER: &str = "container_container_repository_version_href";
const VER_PK: &str =
    "/pulp/api/v3/repositories/container/container/{repository_pulp_id}/versions/{number}/";
const T_REPO: &str = "Repositories: Container";
const T_VER: &str = "Repositories: Container Versions";
const ITEM: &str = "container.ContainerRepositoryResponse";
const ID: &str = "repositories_container_container";

fn action(path: &'static str, name: &str, summary: &'static str, body: &'static str) -> Op {
    Op::new(
        Post,
        Loc::Href(REPO, REPO_PK, path),
        format!("{ID}_{name}"),
        T_REPO,
        summary,
    )
    .body(body)
    .ok(202, "AsyncOperationResponse")
}

pub fn ops() -> Vec<Op> {
    let list = Loc::Lit("/pulp/api/v3/repositories/container/container/");
    let repo = Loc::Href(REPO, REPO_PK, "");
    let list_filters: Vec<String> = [
        filters::NAME_LOOKUPS,
        filters::COMMON,
        repositories::FILTERS,
    ]
    .iter()
    .flat_map(|p| p.iter().map(|s| s.to_string()))
    .collect();
    let mut ops = vec![
        Op::new(
            Get,
            list,
            format!("{ID}_list"),
            T_REPO,
            "List container repositories",
        )
        .list(&list_filters, ITEM),
        Op::new(
            Post,
            list,
            format!("{ID}_create"),
            T_REPO,
            "Create a container repository",
        )
        .body("container.ContainerRepository")
        .ok(201, ITEM),
        Op::new(
            Get,
            repo,
            format!("{ID}_read"),
            T_REPO,
            "Inspect a container repository",
        )
        .fields()
        .ok(200, ITEM),
        Op::new(
            Put,
            repo,
            format!("{ID}_update"),
            T_REPO,
            "Update a container repository",
        )
        .body("container.ContainerRepository")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Patch,
            repo,
            format!("{ID}_partial_update"),
            T_REPO,
            "Update a container repository",
        )
        .optional_body("Patchedcontainer.ContainerRepository")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Delete,
            repo,
            format!("{ID}_delete"),
            T_REPO,
            "Delete a container repository",
        )
        .ok(202, "AsyncOperationResponse"),
        action("add/", "add", "Add content", "RecursiveManage"),
        action("remove/", "remove", "Remove content", "RecursiveManage"),
        action("tag/", "tag", "Create a Tag", "TagImage"),
        action("untag/", "untag", "Delete a tag", "UnTagImage"),
        action("copy_tags/", "copy_tags", "Copy tags", "TagCopy"),
        action(
            "copy_manifests/",
            "copy_manifests",
            "Copy manifests",
            "ManifestCopy",
        ),
        action(
            "restore/",
            "restore",
            "Restore an older version as a new version (berth)",
            "RestoreVersion",
        ),
        Op::new(
            Get,
            Loc::Href(REPO, REPO_PK, "versions/"),
            format!("{ID}_versions_list"),
            T_VER,
            "List repository versions",
        )
        .list(versions::FILTERS, "RepositoryVersionResponse"),
        Op::new(
            Get,
            Loc::Href(VER, VER_PK, ""),
            format!("{ID}_versions_read"),
            T_VER,
            "Inspect a repository version",
        )
        .fields()
        .ok(200, "RepositoryVersionResponse"),
        Op::new(
            Delete,
            Loc::Href(VER, VER_PK, ""),
            format!("{ID}_versions_delete"),
            T_VER,
            "Delete a repository version (refused: versions are immutable history in berth)",
        )
        .ok(202, "AsyncOperationResponse"),
    ];
    ops.extend(object_roles(ID, REPO, REPO_PK, T_REPO));
    ops
}
