//! A compact description of Pulp-style operations, rendered into utoipa operations.
//!
//! Detail paths exist in two spellings, as in Pulp: href templates
//! (`{container_container_namespace_href}` — callers substitute a whole href; what pulp-glue and
//! Pulp's generated clients use, and what `berth openapi` prints), and `pk_path` form
//! (`/pulp/api/v3/pulp_container/namespaces/{pulp_id}/`), which is a plain OpenAPI path that
//! validators and fuzzers understand. One [`Op`] renders into either.
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, Parameter, ParameterBuilder, ParameterIn, ParameterStyle,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, KnownFormat, Ref, RefOr, Required, ResponseBuilder, Schema};

pub const JSON: &str = "application/json";

/// Where an operation lives.
#[derive(Clone, Copy)]
pub enum Loc {
    /// A literal collection path.
    Lit(&'static str),
    /// A detail path: the href parameter name, the same path in pk form, and a suffix
    /// (`""`, `"remove_image/"`, `"versions/"`, …).
    Href(&'static str, &'static str, &'static str),
}

pub struct Op {
    pub method: HttpMethod,
    pub loc: Loc,
    pub id: String,
    pub tag: &'static str,
    pub summary: &'static str,
    query: Vec<Parameter>,
    body: Option<(&'static str, bool)>,
    responses: Vec<(u16, Option<String>)>,
    anonymous: bool,
}

impl Op {
    pub fn new(
        method: HttpMethod,
        loc: Loc,
        id: impl Into<String>,
        tag: &'static str,
        summary: &'static str,
    ) -> Op {
        Op {
            method,
            loc,
            id: id.into(),
            tag,
            summary,
            query: vec![],
            body: None,
            responses: vec![],
            anonymous: false,
        }
    }

    /// A paginated list accepting `filters` besides limit/offset/ordering/fields.
    pub fn list<S: AsRef<str>>(mut self, filters: &[S], item: &str) -> Op {
        for name in ["limit", "offset", "ordering", "fields", "exclude_fields"] {
            self.query.push(query_param(name));
        }
        for f in filters {
            let f = f.as_ref();
            if !crate::api::pulp::common::ALWAYS.contains(&f)
                && !self.query.iter().any(|p| p.name == f)
            {
                self.query.push(query_param(f));
            }
        }
        self.ok(200, &paginated_name(item))
    }

    /// `fields` / `exclude_fields` on a detail read.
    pub fn fields(mut self) -> Op {
        self.query.push(query_param("fields"));
        self.query.push(query_param("exclude_fields"));
        self
    }

    /// One more query parameter, typed by [`query_param`]'s rules.
    pub fn query(mut self, name: &str) -> Op {
        self.query.push(query_param(name));
        self
    }

    /// A required JSON body of the named schema.
    pub fn body(mut self, schema: &'static str) -> Op {
        self.body = Some((schema, true));
        self
    }

    /// A JSON body that may be left out (partial updates, actions whose fields all default).
    pub fn optional_body(mut self, schema: &'static str) -> Op {
        self.body = Some((schema, false));
        self
    }

    /// A success status with a JSON body of the named schema.
    pub fn ok(mut self, status: u16, schema: &str) -> Op {
        self.responses.push((status, Some(schema.to_string())));
        self
    }

    /// A success status without a body.
    pub fn empty(mut self, status: u16) -> Op {
        self.responses.push((status, None));
        self
    }

    /// Answered without credentials too.
    pub fn anonymous(mut self) -> Op {
        self.anonymous = true;
        self
    }

    /// The path key of this operation in the requested spelling.
    pub fn path(&self, pk_path: bool) -> String {
        match self.loc {
            Loc::Lit(p) => p.to_string(),
            Loc::Href(name, _, suffix) if !pk_path => format!("{{{name}}}{suffix}"),
            Loc::Href(_, pk, suffix) => format!("{pk}{suffix}"),
        }
    }

    pub fn render(&self, pk_path: bool) -> utoipa::openapi::path::Operation {
        let mut b = OperationBuilder::new()
            .operation_id(Some(self.id.clone()))
            .summary(Some(self.summary))
            .tag(self.tag);
        for p in self.path_params(pk_path) {
            b = b.parameter(p);
        }
        for p in &self.query {
            b = b.parameter(p.clone());
        }
        if let Some((schema, required)) = self.body {
            b = b.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(if required {
                        Required::True
                    } else {
                        Required::False
                    }))
                    .content(
                        JSON,
                        ContentBuilder::new()
                            .schema(Some(reference(schema)))
                            .build(),
                    )
                    .build(),
            ));
        }
        for (status, schema) in &self.responses {
            let mut r = ResponseBuilder::new().description(status_text(*status));
            if let Some(s) = schema {
                r = r.content(
                    JSON,
                    ContentBuilder::new().schema(Some(reference(s))).build(),
                );
            }
            b = b.response(status.to_string(), r.build());
        }
        let mut errors = vec![401, 403];
        if self.body.is_some() || !self.query.is_empty() || self.method != HttpMethod::Get {
            errors.insert(0, 400);
        }
        if matches!(self.loc, Loc::Href(..)) {
            errors.push(404);
        }
        for status in errors {
            b = b.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description(status_text(status))
                    .content(
                        JSON,
                        ContentBuilder::new()
                            .schema(Some(reference("ErrorResponse")))
                            .build(),
                    )
                    .build(),
            );
        }
        let mut security = vec![SecurityRequirement::new("basicAuth", Vec::<String>::new())];
        if self.anonymous {
            security.push(SecurityRequirement::default());
        }
        b.securities(Some(security)).build()
    }

    fn path_params(&self, pk_path: bool) -> Vec<Parameter> {
        match self.loc {
            Loc::Lit(_) => vec![],
            Loc::Href(name, _, _) if !pk_path => {
                vec![path_param(
                    name,
                    ObjectBuilder::new().schema_type(Type::String).into(),
                )]
            }
            Loc::Href(_, pk, _) => pk
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next())
                .map(|name| {
                    let schema = if name.ends_with("pulp_id") {
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    } else {
                        ObjectBuilder::new().schema_type(Type::Integer)
                    };
                    path_param(name, schema.into())
                })
                .collect(),
        }
    }
}

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn path_param(name: &str, schema: Schema) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(schema))
        .build()
}

/// A query parameter typed from its name: `__in` lists and `ordering`/`fields` are
/// comma-separated arrays, counts and version numbers integers, flags booleans.
pub fn query_param(name: &str) -> Parameter {
    let string = || ObjectBuilder::new().schema_type(Type::String);
    // Task states are `StateEnum` values, as in pulpcore's document.
    if matches!(name, "state" | "state__ne" | "state__in") {
        let state = reference("StateEnum");
        let (schema, explode): (RefOr<Schema>, _) = match name {
            "state__in" => (ArrayBuilder::new().items(state).into(), Some(false)),
            _ => (state, None),
        };
        return ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .schema(Some(schema))
            .style(explode.map(|_| ParameterStyle::Form))
            .explode(explode)
            .build();
    }
    let (schema, explode): (Schema, Option<bool>) = if name.ends_with("__in")
        || matches!(name, "ordering" | "fields" | "exclude_fields" | "states")
    {
        (ArrayBuilder::new().items(string()).into(), Some(false))
    } else if name.ends_with("__isnull")
        || matches!(
            name,
            "is_active"
                | "is_staff"
                | "locked"
                | "is_bootable"
                | "is_flatpak"
                | "hidden"
                | "enabled"
        )
    {
        (ObjectBuilder::new().schema_type(Type::Boolean).into(), None)
    } else if matches!(name, "limit" | "offset" | "orphaned_for")
        || name.starts_with("number")
        || name.starts_with("retain_repo_versions")
    {
        (ObjectBuilder::new().schema_type(Type::Integer).into(), None)
    } else if name.starts_with("pulp_created")
        || name.starts_with("started_at")
        || name.starts_with("finished_at")
        || name.starts_with("unblocked_at")
    {
        (
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .into(),
            None,
        )
    } else {
        (string().into(), None)
    };
    let mut b = ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(schema));
    if explode.is_some() {
        b = b.style(Some(ParameterStyle::Form)).explode(explode);
    }
    b.build()
}

/// `Paginated<item>List`, Pulp's name for a page of `item`.
pub fn paginated_name(item: &str) -> String {
    format!("Paginated{item}List")
}

/// The page schema: `count`, absolute `next`/`previous`, `results`.
pub fn paginated_schema(item: &str) -> Schema {
    let nullable_url = || {
        ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Null,
        ]))
    };
    ObjectBuilder::new()
        .property("count", ObjectBuilder::new().schema_type(Type::Integer))
        .required("count")
        .property("next", nullable_url())
        .property("previous", nullable_url())
        .property("results", ArrayBuilder::new().items(reference(item)))
        .required("results")
        .into()
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted: a task was dispatched",
        204 => "No Content",
        400 => "Invalid input",
        401 => "Authentication required",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict",
        _ => "",
    }
}
