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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn message(e: Error) -> (String, String) {
        match e {
            Error::Validation(mut v) if v.len() == 1 => v.remove(0),
            other => panic!("not one field error: {other:?}"),
        }
    }

    #[test]
    fn text_lookups_in_the_order_given() {
        let p = params(&[
            ("name__icontains", "Ab"),
            ("name__in", "a,,b"),
            ("name__ne", "x"),
            ("name", "c"),
        ]);
        assert_eq!(
            text(&p, "name"),
            vec![
                Text::IContains("Ab".into()),
                Text::In(vec!["a".into(), "b".into()]),
                Text::Eq("c".into()),
            ]
        );
    }

    #[test]
    fn numbers_and_their_error() {
        let p = params(&[("number__gte", "2"), ("number__isnull", "True")]);
        assert_eq!(
            numeric(&p, "number").unwrap(),
            vec![Cmp::Gte(2), Cmp::IsNull(true)]
        );
        let e = numeric(&params(&[("number__lt", "x")]), "number").unwrap_err();
        assert_eq!(message(e), ("number__lt".into(), "Enter a number.".into()));
    }

    #[test]
    fn ordering_terms_and_unknown_fields() {
        let allowed = [("name", 1), ("pk", 2)];
        assert!(ordering(&params(&[]), &allowed).unwrap().is_empty());
        let o = ordering(&params(&[("ordering", "-pk,name")]), &allowed).unwrap();
        assert_eq!(o, vec![Sort { key: 2, desc: true }, Sort::asc(1)]);
        let e = ordering(&params(&[("ordering", "size")]), &allowed).unwrap_err();
        let want = "Select a valid choice. size is not one of the available choices.";
        assert_eq!(message(e), ("ordering".into(), want.into()));
    }

    #[test]
    fn label_selectors() {
        let p = params(&[("pulp_label_select", "a, !b,c=1, d!=2,e~x y,")]);
        assert_eq!(
            labels(&p),
            vec![
                LabelTerm::Has("a".into()),
                LabelTerm::Lacks("b".into()),
                LabelTerm::Is("c".into(), "1".into()),
                LabelTerm::IsNot("d".into(), "2".into()),
                LabelTerm::Contains("e".into(), "x y".into()),
            ]
        );
    }

    #[test]
    fn ids_per_parameter() {
        let id = Uuid::from_u128(1);
        let href = format!("/pulp/api/v3/tasks/{id}/");
        let p = params(&[("pulp_href__in", &href), ("pulp_id__in", &id.to_string())]);
        let got = ids(&p, "/pulp/api/v3/tasks/", "core.task").unwrap();
        assert_eq!(got, vec![vec![id], vec![id]]);
        assert!(ids(&params(&[("pulp_id__in", "nope")]), "/x/", "m").is_err());
    }
}
