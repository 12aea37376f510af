//! pulp_container's operations: namespaces, distributions, push repositories and their versions,
//! content, object roles. OperationIds, tags and href parameter names are Pulp's (§12 of the
//! reference), so pulp-glue and Pulp's generated clients find what they call.
use super::ops::{Loc, Op};
use crate::api::pulp::{content, distributions, filters, repositories, versions};
use crate::domain::content::ContentKind;
use crate::domain::hrefs;
use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

const NS: &str = "container_container_namespace_href";
const NS_PK: &str = "/pulp/api/v3/pulp_container/namespaces/{pulp_id}/";
const DIST: &str = "container_container_distribution_href";
const DIST_PK: &str = "/pulp/api/v3/distributions/container/container/{pulp_id}/";
const PUSH: &str = "container_container_push_repository_href";
const PUSH_PK: &str = "/pulp/api/v3/repositories/container/container-push/{pulp_id}/";
const VER: &str = "container_container_push_repository_version_href";
const VER_PK: &str =
    "/pulp/api/v3/repositories/container/container-push/{repository_pulp_id}/versions/{number}/";

const T_NS: &str = "Pulp_Container: Namespaces";
const T_DIST: &str = "Distributions: Container";
const T_PUSH: &str = "Repositories: Container-Push";
const T_VER: &str = "Repositories: Container-Push Versions";

/// A content kind's OpenAPI tag, response schema, href parameter and detail path in pk form.
fn content_doc(kind: ContentKind) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        ContentKind::Blob => (
            "Content: Blobs",
            "container.BlobResponse",
            "container_blob_href",
            "/pulp/api/v3/content/container/blobs/{pulp_id}/",
        ),
        ContentKind::Manifest => (
            "Content: Manifests",
            "container.ManifestResponse",
            "container_manifest_href",
            "/pulp/api/v3/content/container/manifests/{pulp_id}/",
        ),
        ContentKind::Tag => (
            "Content: Tags",
            "container.TagResponse",
            "container_tag_href",
            "/pulp/api/v3/content/container/tags/{pulp_id}/",
        ),
    }
}

fn cat(parts: &[&[&str]]) -> Vec<String> {
    parts
        .iter()
        .flat_map(|p| p.iter().map(|s| s.to_string()))
        .collect()
}

/// `list_roles`, `add_role`, `remove_role`, `my_permissions` under `prefix`.
pub(super) fn object_roles(
    prefix: &str,
    href: &'static str,
    pk: &'static str,
    tag: &'static str,
) -> Vec<Op> {
    vec![
        Op::new(
            Get,
            Loc::Href(href, pk, "list_roles/"),
            format!("{prefix}_list_roles"),
            tag,
            "List roles assigned to this object.",
        )
        .fields()
        .ok(200, "ObjectRolesResponse"),
        Op::new(
            Post,
            Loc::Href(href, pk, "add_role/"),
            format!("{prefix}_add_role"),
            tag,
            "Add a role for this object to users.",
        )
        .body("NestedRole")
        .ok(201, "NestedRoleResponse"),
        Op::new(
            Post,
            Loc::Href(href, pk, "remove_role/"),
            format!("{prefix}_remove_role"),
            tag,
            "Remove a role for this object from users.",
        )
        .body("NestedRole")
        .ok(201, "NestedRoleResponse"),
        Op::new(
            Get,
            Loc::Href(href, pk, "my_permissions/"),
            format!("{prefix}_my_permissions"),
            tag,
            "List permissions available to the current user on this object.",
        )
        .fields()
        .ok(200, "MyPermissionsResponse"),
    ]
}

pub fn ops() -> Vec<Op> {
    let ns_list = Loc::Lit("/pulp/api/v3/pulp_container/namespaces/");
    let dist_list = Loc::Lit("/pulp/api/v3/distributions/container/container/");
    let push_list = Loc::Lit("/pulp/api/v3/repositories/container/container-push/");
    let ns = Loc::Href(NS, NS_PK, "");
    let dist = Loc::Href(DIST, DIST_PK, "");
    let push = Loc::Href(PUSH, PUSH_PK, "");
    let ns_filters = cat(&[filters::NAME_LOOKUPS, filters::COMMON]);
    let mut ops = vec![
        Op::new(
            Get,
            ns_list,
            "pulp_container_namespaces_list",
            T_NS,
            "List container namespaces",
        )
        .list(&ns_filters, "container.ContainerNamespaceResponse"),
        Op::new(
            Post,
            ns_list,
            "pulp_container_namespaces_create",
            T_NS,
            "Create a container namespace",
        )
        .body("container.ContainerNamespace")
        .ok(201, "container.ContainerNamespaceResponse"),
        Op::new(
            Get,
            ns,
            "pulp_container_namespaces_read",
            T_NS,
            "Inspect a container namespace",
        )
        .fields()
        .ok(200, "container.ContainerNamespaceResponse"),
        Op::new(
            Delete,
            ns,
            "pulp_container_namespaces_delete",
            T_NS,
            "Delete a container namespace with its repositories and distributions",
        )
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Href(NS, NS_PK, "set_quota/"),
            "pulp_container_namespaces_set_quota",
            T_NS,
            "Set or remove the storage quota of a container namespace (superusers only)",
        )
        .body("SetQuota")
        .ok(200, "container.ContainerNamespaceResponse"),
        Op::new(
            Get,
            dist_list,
            "distributions_container_container_list",
            T_DIST,
            "List container distributions",
        )
        .list(
            &cat(&[
                filters::NAME_LOOKUPS,
                filters::COMMON,
                distributions::FILTERS,
            ]),
            "container.ContainerDistributionResponse",
        ),
        Op::new(
            Post,
            dist_list,
            "distributions_container_container_create",
            T_DIST,
            "Create a container distribution",
        )
        .body("container.ContainerDistribution")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Get,
            dist,
            "distributions_container_container_read",
            T_DIST,
            "Inspect a container distribution",
        )
        .fields()
        .ok(200, "container.ContainerDistributionResponse"),
        Op::new(
            Put,
            dist,
            "distributions_container_container_update",
            T_DIST,
            "Update a container distribution",
        )
        .body("container.ContainerDistribution")
        .ok(200, "container.ContainerDistributionResponse")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Patch,
            dist,
            "distributions_container_container_partial_update",
            T_DIST,
            "Update a container distribution",
        )
        .optional_body("Patchedcontainer.ContainerDistribution")
        .ok(200, "container.ContainerDistributionResponse")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Delete,
            dist,
            "distributions_container_container_delete",
            T_DIST,
            "Delete a container distribution",
        )
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Get,
            push_list,
            "repositories_container_container_push_list",
            T_PUSH,
            "List container push repositories",
        )
        .list(
            &cat(&[
                filters::NAME_LOOKUPS,
                filters::COMMON,
                repositories::FILTERS,
            ]),
            "container.ContainerPushRepositoryResponse",
        ),
        Op::new(
            Get,
            push,
            "repositories_container_container_push_read",
            T_PUSH,
            "Inspect a container push repository",
        )
        .fields()
        .ok(200, "container.ContainerPushRepositoryResponse"),
        Op::new(
            Put,
            push,
            "repositories_container_container_push_update",
            T_PUSH,
            "Update a container push repository",
        )
        .body("container.ContainerPushRepository")
        .ok(200, "container.ContainerPushRepositoryResponse")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Patch,
            push,
            "repositories_container_container_push_partial_update",
            T_PUSH,
            "Update a container push repository",
        )
        .optional_body("Patchedcontainer.ContainerPushRepository")
        .ok(200, "container.ContainerPushRepositoryResponse")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Href(PUSH, PUSH_PK, "remove_image/"),
            "repositories_container_container_push_remove_image",
            T_PUSH,
            "Delete an image from a repository",
        )
        .body("RemoveImage")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Href(PUSH, PUSH_PK, "tag/"),
            "repositories_container_container_push_tag",
            T_PUSH,
            "Create a Tag",
        )
        .body("TagImage")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Href(PUSH, PUSH_PK, "untag/"),
            "repositories_container_container_push_untag",
            T_PUSH,
            "Delete a tag",
        )
        .body("UnTagImage")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Href(PUSH, PUSH_PK, "restore/"),
            "repositories_container_container_push_restore",
            T_PUSH,
            "Restore an older version as a new version (berth)",
        )
        .body("RestoreVersion")
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Get,
            Loc::Href(PUSH, PUSH_PK, "versions/"),
            "repositories_container_container_push_versions_list",
            T_VER,
            "List repository versions",
        )
        .list(versions::FILTERS, "RepositoryVersionResponse"),
        Op::new(
            Get,
            Loc::Href(VER, VER_PK, ""),
            "repositories_container_container_push_versions_read",
            T_VER,
            "Inspect a repository version",
        )
        .fields()
        .ok(200, "RepositoryVersionResponse"),
        Op::new(
            Delete,
            Loc::Href(VER, VER_PK, ""),
            "repositories_container_container_push_versions_delete",
            T_VER,
            "Delete a repository version (refused: push repository versions are immutable history)",
        )
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Post,
            Loc::Href(VER, VER_PK, "repair/"),
            "repositories_container_container_push_versions_repair",
            T_VER,
            "Repair a repository version (refused: berth verifies blobs on upload)",
        )
        .ok(202, "AsyncOperationResponse"),
        Op::new(
            Get,
            Loc::Lit("/pulp/api/v3/repository_versions/"),
            "repository_versions_list",
            "Repository Versions",
            "List all repository versions",
        )
        .list(versions::FILTERS, "RepositoryVersionResponse"),
    ];
    for kind in ContentKind::all() {
        let (tag, item, href, pk) = content_doc(kind);
        let plural = kind.plural();
        ops.push(
            Op::new(
                Get,
                Loc::Lit(hrefs::content_list(kind)),
                format!("content_container_{plural}_list"),
                tag,
                "List content units",
            )
            .list(&cat(&[content::COMMON, content::filters_of(kind)]), item),
        );
        ops.push(
            Op::new(
                Get,
                Loc::Href(href, pk, ""),
                format!("content_container_{plural}_read"),
                tag,
                "Inspect a content unit",
            )
            .fields()
            .ok(200, item),
        );
    }
    ops.extend(object_roles("pulp_container_namespaces", NS, NS_PK, T_NS));
    ops.extend(object_roles(
        "distributions_container_container",
        DIST,
        DIST_PK,
        T_DIST,
    ));
    ops
}
