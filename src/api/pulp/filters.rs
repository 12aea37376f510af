//! Reading Pulp's filter parameters into the typed list query (`domain::query`): name lookups,
//! the common id/href/PRN filters, numeric lookups, label selectors, `ordering`, and
//! limit/offset. Parameter names and error messages are Pulp's; no SQL here.
use super::common::Params;
use crate::domain::hrefs;
use crate::domain::query::{Cmp, LabelTerm, Page, Sort, Text};
use crate::error::Error;
use uuid::Uuid;

pub const NAME_LOOKUPS: &[&str] = &[
    "name",
    "name__in",
    "name__contains",
    "name__icontains",
    "name__startswith",
    "name__istartswith",
    "name__iexact",
];
pub const COMMON: &[&str] = &[
    "pulp_id__in",
    "pulp_href__in",
    "prn__in",
    "pulp_label_select",
];

/// Text lookups of parameter `field` (`field`, `field__in`, `field__contains`, …), in the
/// order they were given.
pub fn text(p: &Params, field: &str) -> Vec<Text> {
    let mut out = vec![];
    for (k, v) in &p.0 {
        let Some(suffix) = k.strip_prefix(field) else {
            continue;
        };
        out.push(match suffix {
            "" => Text::Eq(v.clone()),
            "__in" => Text::In(
                v.split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            ),
            "__contains" => Text::Contains(v.clone()),
            "__icontains" => Text::IContains(v.clone()),
            "__startswith" => Text::StartsWith(v.clone()),
            "__istartswith" => Text::IStartsWith(v.clone()),
            "__iexact" => Text::IExact(v.clone()),
            _ => continue,
        });
    }
    out
}

/// Numeric lookups of `field`: `field`, `__lt`, `__lte`, `__gt`, `__gte`, `__ne`, `__isnull`.
pub fn numeric(p: &Params, field: &str) -> Result<Vec<Cmp<i64>>, Error> {
    let mut out = vec![];
    for (k, v) in &p.0 {
        let Some(suffix) = k.strip_prefix(field) else {
            continue;
        };
        if suffix == "__isnull" {
            out.push(Cmp::IsNull(matches!(v.as_str(), "true" | "True" | "1")));
            continue;
        }
        let n: i64 = v.parse().map_err(|_| Error::field(k, "Enter a number."))?;
        out.push(match suffix {
            "" => Cmp::Eq(n),
            "__ne" => Cmp::Ne(n),
            "__lt" => Cmp::Lt(n),
            "__lte" => Cmp::Lte(n),
            "__gt" => Cmp::Gt(n),
            "__gte" => Cmp::Gte(n),
            _ => continue,
        });
    }
    Ok(out)
}

/// `pulp_id__in`, `pulp_href__in`, `prn__in`: one id set per parameter given (hrefs and PRNs
/// that name nothing of this type are left out).
pub fn ids(p: &Params, href_prefix: &str, prn_model: &str) -> Result<Vec<Vec<Uuid>>, Error> {
    let mut out = vec![];
    if let Some(list) = p.list("pulp_id__in") {
        let ids: Result<Vec<Uuid>, _> = list.iter().map(|s| Uuid::parse_str(s)).collect();
        out.push(ids.map_err(|_| Error::field("pulp_id__in", "Enter a valid UUID."))?);
    }
    for key in ["pulp_href__in", "prn__in"] {
        if let Some(list) = p.list(key) {
            out.push(
                list.iter()
                    .filter_map(|h| hrefs::parse_id(h, href_prefix, prn_model))
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// `ordering=a,-b` over `allowed` (parameter name → ordering); empty when absent, which means
/// the list's default order.
pub fn ordering<O: Copy>(p: &Params, allowed: &[(&str, O)]) -> Result<Vec<Sort<O>>, Error> {
    let Some(spec) = p.get("ordering").filter(|s| !s.is_empty()) else {
        return Ok(vec![]);
    };
    let mut out = vec![];
    for term in spec.split(',') {
        let (desc, name) = match term.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, term),
        };
        let key = allowed
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, o)| *o)
            .ok_or_else(|| {
                Error::field(
                    "ordering",
                    format!("Select a valid choice. {name} is not one of the available choices."),
                )
            })?;
        out.push(Sort { key, desc });
    }
    Ok(out)
}

/// The page limit/offset ask for.
pub fn page(p: &Params) -> Option<Page> {
    let (limit, offset) = p.page();
    Some(Page { limit, offset })
}

/// `pulp_label_select` (`key`, `!key`, `key=value`, `key!=value`, `key~substring`,
/// comma-joined).
pub fn labels(p: &Params) -> Vec<LabelTerm> {
    let Some(select) = p.get("pulp_label_select").filter(|s| !s.is_empty()) else {
        return vec![];
    };
    let t = |s: &str| s.trim().to_string();
    select
        .split(',')
        .map(str::trim)
        .filter(|term| !term.is_empty())
        .map(|term| {
            if let Some((k, v)) = term.split_once("!=") {
                LabelTerm::IsNot(t(k), t(v))
            } else if let Some((k, v)) = term.split_once('=') {
                LabelTerm::Is(t(k), t(v))
            } else if let Some((k, v)) = term.split_once('~') {
                LabelTerm::Contains(t(k), t(v))
            } else if let Some(k) = term.strip_prefix('!') {
                LabelTerm::Lacks(t(k))
            } else {
                LabelTerm::Has(t(term))
            }
        })
        .collect()
}
