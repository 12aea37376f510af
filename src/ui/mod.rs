//! The web UI at `/ui/`: another dialect beside `api::oci` and `api::pulp`, server-rendered
//! HTML (a small escaping builder in [`html`]) over the same services and the same caller
//! rules (`service::policy::Caller`, `service::access`), so a page never shows what the API
//! would hide and every action is checked again on the server. Pages that only show things
//! work without JavaScript; `app.js` only adds conveniences (copy buttons, shift-click ranges,
//! reloading a running task). The stylesheet and script are compiled into the binary.
pub mod cleanup;
pub mod cleanup_schedule;
pub mod html;
pub mod image;
pub mod image_config;
pub mod lists;
pub mod manage;
pub mod pages;
pub mod repository;
pub mod retention;
pub mod retention_form;
pub mod retention_values;
pub mod session;
pub mod user_roles;
pub mod users;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("app.js");

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE)
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

async fn to_slash() -> HttpResponse {
    html::see_other("/ui/")
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").get(session::root));
    cfg.service(web::resource("/ui").get(to_slash));
    cfg.service(
        web::scope("/ui")
            .app_data(web::PathConfig::default().error_handler(|_, _| {
                session::UiError::Err(crate::error::Error::NotFound("page".into())).into()
            }))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                session::UiError::Err(crate::error::Error::InvalidFilter(e.to_string())).into()
            }))
            .service(web::resource("/static/style.css").get(style))
            .service(web::resource("/static/app.js").get(script))
            .service(
                web::resource("/signin")
                    .get(session::signin_form)
                    .post(session::signin),
            )
            .service(web::resource("/signout").post(session::signout))
            .service(web::resource("/").get(pages::overview))
            .service(web::resource("/namespaces/").get(lists::namespaces))
            .service(web::resource("/repositories/").get(lists::repositories))
            .service(web::resource("/repositories/{id}/").get(repository::show))
            .service(web::resource("/repositories/{id}/untag").post(repository::untag))
            .service(web::resource("/repositories/{id}/image").get(image::show))
            .service(
                web::resource("/repositories/{id}/delete-image")
                    .get(repository::confirm_delete)
                    .post(repository::delete_image),
            )
            .service(
                web::resource("/repositories/{id}/delete")
                    .get(manage::confirm_delete_repository)
                    .post(manage::delete_repository),
            )
            .service(web::resource("/repositories/{id}/visibility").post(manage::set_visibility))
            .service(
                web::resource("/namespaces/{id}/delete")
                    .get(manage::confirm_delete_namespace)
                    .post(manage::delete_namespace),
            )
            .service(web::resource("/repositories/{id}/versions/").get(repository::versions))
            .service(web::resource("/repositories/{id}/restore").post(repository::restore_version))
            .service(web::resource("/namespaces/{id}/retention/").get(retention::namespace))
            .service(web::resource("/retention/").get(retention::every_namespace))
            .service(
                web::resource("/retention/new")
                    .get(retention_form::new_global_form)
                    .post(retention_form::create_global),
            )
            .service(web::resource("/retention/{id}/preview").get(retention::preview))
            .service(
                web::resource("/namespaces/{id}/retention/new")
                    .get(retention_form::new_form)
                    .post(retention_form::create),
            )
            .service(
                web::resource("/retention/{id}/edit")
                    .get(retention_form::edit_form)
                    .post(retention_form::update),
            )
            .service(web::resource("/retention/{id}/run").post(retention_form::run))
            .service(
                web::resource("/retention/{id}/delete")
                    .get(retention_form::confirm_delete)
                    .post(retention_form::delete),
            )
            .service(
                web::resource("/users/")
                    .get(users::list)
                    .post(users::create),
            )
            .service(web::resource("/users/{number}/").get(users::show))
            .service(web::resource("/users/{number}/password").post(users::set_password))
            .service(web::resource("/users/{number}/active").post(users::set_active))
            .service(web::resource("/users/{number}/roles").post(user_roles::assign))
            .service(web::resource("/users/{number}/roles/{id}/remove").post(user_roles::remove))
            .service(web::resource("/tasks/").get(pages::tasks))
            .service(web::resource("/tasks/{id}/").get(pages::task))
            .service(
                web::resource("/cleanup/")
                    .get(cleanup::show)
                    .post(cleanup::run),
            )
            .service(web::resource("/cleanup/schedules").post(cleanup_schedule::create))
            .service(web::resource("/cleanup/schedules/{id}").post(cleanup_schedule::change)),
    );
}
