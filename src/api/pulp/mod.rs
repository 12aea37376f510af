//! The Pulp-compatible management API under `/pulp/api/v3/`. One module per resource, named
//! after its URL segment, holding its request and view types (the OpenAPI schemas; in a
//! `*_models`/`*_views` sibling where the file would grow too long). A handler reads: caller
//! (an extractor from `caller`) → request (read by `body`) → one service call → view. All
//! responses are `application/json` and carry `Correlation-ID`.
pub mod body;
pub mod caller;
pub mod common;
pub mod container_repo_actions;
pub mod container_repos;
pub mod content;
pub mod content_views;
pub mod distribution_models;
pub mod distributions;
pub mod docs;
pub mod errors;
pub mod filters;
pub mod namespaces;
pub mod object_roles;
pub mod orphans;
pub mod repositories;
pub mod repository_actions;
pub mod restore;
pub mod retention_policies;
pub mod retention_policy_models;
pub mod retention_runs;
pub mod role_models;
pub mod roles;
pub mod status;
pub mod task_models;
pub mod task_schedule_models;
pub mod task_schedules;
pub mod tasks;
pub mod user_models;
pub mod users;
pub mod versions;

use crate::error::Error;
use actix_web::{web, HttpRequest, HttpResponse};
use errors::PulpResult;

/// Pulp's 405 body, with the `Allow` header RFC 9110 requires (methods from the document).
pub async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let mut res = actix_web::ResponseError::error_response(&errors::PulpError(
        Error::MethodNotAllowed(req.method().to_string()),
    ));
    if let Some(allow) = crate::api::openapi::allowed_methods(req.path()) {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
            res.headers_mut().insert(actix_web::http::header::ALLOW, v);
        }
    }
    res
}

async fn not_found() -> PulpResult<HttpResponse> {
    Err(Error::NotFound("path".into()).into())
}

/// A resource whose unrouted methods answer Pulp's 405 body.
fn res(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

const PUSH: &str = "/repositories/container/container-push";
const PLAIN: &str = "/repositories/container/container";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(docs::swagger());
    cfg.route(
        "/pulp/api/v3/swagger",
        web::get().to(docs::swagger_redirect),
    );
    cfg.service(
        web::scope("/pulp/api/v3")
            .wrap(actix_web::middleware::from_fn(errors::json_errors))
            .wrap(actix_web::middleware::from_fn(common::correlation_id))
            // An id that does not parse names no object: Pulp's JSON 404, not actix's text.
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, _| errors::PulpError(Error::NotFound("path".into())).into()),
            )
            .default_service(web::to(not_found))
            .service(res("/status/").get(status::status))
            .service(res("/livez/").get(crate::api::health::livez))
            .service(res("/docs/api.json").get(docs::api_json))
            .service(res("/docs/api.yaml").get(docs::api_yaml))
            .service(
                res("/pulp_container/namespaces/")
                    .get(namespaces::list)
                    .post(namespaces::create),
            )
            .service(
                res("/pulp_container/namespaces/{id}/")
                    .get(namespaces::read)
                    .delete(namespaces::delete),
            )
            .service(res("/pulp_container/namespaces/{id}/set_quota/").post(namespaces::set_quota))
            .service(
                res("/distributions/container/container/")
                    .get(distributions::list)
                    .post(distributions::create),
            )
            .service(
                res("/distributions/container/container/{id}/")
                    .get(distributions::read)
                    .patch(distributions::partial_update)
                    .put(distributions::update)
                    .delete(distributions::delete),
            )
            .service(res(&format!("{PUSH}/")).get(repositories::list))
            .service(
                res(&format!("{PUSH}/{{id}}/"))
                    .get(repositories::read)
                    .patch(repositories::partial_update)
                    .put(repositories::update),
            )
            .service(res(&format!("{PUSH}/{{id}}/remove_image/")).post(repositories::remove_image))
            .service(res(&format!("{PUSH}/{{id}}/tag/")).post(repositories::tag))
            .service(res(&format!("{PUSH}/{{id}}/untag/")).post(repositories::untag))
            .service(res(&format!("{PUSH}/{{id}}/restore/")).post(restore::restore))
            .service(res(&format!("{PUSH}/{{id}}/versions/")).get(versions::list))
            .service(
                res(&format!("{PUSH}/{{id}}/versions/{{number}}/"))
                    .get(versions::read)
                    .delete(versions::forbidden),
            )
            .service(
                res(&format!("{PUSH}/{{id}}/versions/{{number}}/repair/"))
                    .post(versions::forbidden),
            )
            .configure(container_repo_routes)
            .service(res("/repository_versions/").get(versions::list_all))
            .service(res("/content/container/blobs/").get(content::blobs))
            .service(res("/content/container/manifests/").get(content::manifests))
            .service(res("/content/container/tags/").get(content::tags))
            .service(res("/content/container/{kind}/{id}/").get(content::read))
            .service(res("/tasks/").get(tasks::list))
            .service(res("/tasks/purge/").post(tasks::purge))
            .service(
                res("/tasks/{id}/")
                    .get(tasks::read)
                    .patch(tasks::cancel)
                    .delete(tasks::delete),
            )
            .service(
                res("/task-schedules/")
                    .get(task_schedules::list)
                    .post(task_schedules::create),
            )
            .service(
                res("/task-schedules/{id}/")
                    .get(task_schedules::read)
                    .put(task_schedules::update)
                    .patch(task_schedules::partial_update)
                    .delete(task_schedules::delete),
            )
            .service(res("/users/").get(users::list).post(users::create))
            .service(
                res("/users/{id}/")
                    .get(users::read)
                    .put(users::update)
                    .patch(users::partial_update)
                    .delete(users::delete),
            )
            .service(
                res("/users/{id}/roles/")
                    .get(users::roles_list)
                    .post(users::roles_create),
            )
            .service(
                res("/users/{id}/roles/{rid}/")
                    .get(users::role_read)
                    .delete(users::role_delete),
            )
            .service(res("/roles/").get(roles::list).post(roles::create))
            .service(
                res("/roles/{id}/")
                    .get(roles::read)
                    .put(roles::update)
                    .patch(roles::partial_update)
                    .delete(roles::delete),
            )
            .configure(object_role_routes)
            .service(
                res("/retention_policies/")
                    .get(retention_policies::list)
                    .post(retention_policies::create),
            )
            .service(
                res("/retention_policies/{id}/")
                    .get(retention_policies::read)
                    .put(retention_policies::update)
                    .patch(retention_policies::partial_update)
                    .delete(retention_policies::delete),
            )
            .service(res("/orphans/").delete(orphans::delete))
            .service(res("/orphans/cleanup/").post(orphans::cleanup))
            .service(res("/retention_policies/{id}/preview/").post(retention_runs::preview))
            .service(res("/retention_policies/{id}/run/").post(retention_runs::run)),
    );
}

/// `list_roles/`, `add_role/`, `remove_role/`, `my_permissions/` on namespaces and distributions.
fn object_role_routes(cfg: &mut web::ServiceConfig) {
    for base in [
        "/pulp_container/namespaces/{id}/",
        "/distributions/container/container/{id}/",
        "/repositories/container/container/{id}/",
    ] {
        cfg.service(res(&format!("{base}list_roles/")).get(object_roles::list_roles))
            .service(res(&format!("{base}add_role/")).post(object_roles::add_role))
            .service(res(&format!("{base}remove_role/")).post(object_roles::remove_role))
            .service(res(&format!("{base}my_permissions/")).get(object_roles::my_permissions));
    }
}

/// Plain container repositories, their versions and content actions.
fn container_repo_routes(cfg: &mut web::ServiceConfig) {
    use container_repo_actions as act;
    cfg.service(
        res(&format!("{PLAIN}/"))
            .get(container_repos::list)
            .post(container_repos::create),
    )
    .service(
        res(&format!("{PLAIN}/{{id}}/"))
            .get(container_repos::read)
            .put(container_repos::update)
            .patch(container_repos::partial_update)
            .delete(container_repos::delete),
    )
    .service(res(&format!("{PLAIN}/{{id}}/add/")).post(act::add))
    .service(res(&format!("{PLAIN}/{{id}}/remove/")).post(act::remove))
    .service(res(&format!("{PLAIN}/{{id}}/tag/")).post(act::tag))
    .service(res(&format!("{PLAIN}/{{id}}/untag/")).post(act::untag))
    .service(res(&format!("{PLAIN}/{{id}}/copy_tags/")).post(act::copy_tags))
    .service(res(&format!("{PLAIN}/{{id}}/copy_manifests/")).post(act::copy_manifests))
    .service(res(&format!("{PLAIN}/{{id}}/restore/")).post(restore::container_restore))
    .service(res(&format!("{PLAIN}/{{id}}/versions/")).get(versions::container_list))
    .service(
        res(&format!("{PLAIN}/{{id}}/versions/{{number}}/"))
            .get(versions::container_read)
            .delete(versions::forbidden),
    );
}
