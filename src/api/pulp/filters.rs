//! Translating Pulp's filter parameters into list criteria: name lookups, the common id/href/PRN
//! filters, numeric lookups, `ordering`, and limit/offset.
use super::common::Params;
use crate::domain::hrefs;
use crate::error::Error;
use crate::repo::criteria::{Criteria, Op};
use sea_orm::Value;
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

/// Text lookups on `col` for parameter `field` (`field`, `field__in`, `field__contains`, …).
pub fn text(p: &Params, crit: &mut Criteria, field: &str, col: &str) {
    for (k, v) in &p.0 {
        let Some(suffix) = k.strip_prefix(field) else {
            continue;
        };
        let op = match suffix {
            "" => Op::Eq(v.clone().into()),
            "__in" => Op::In(
                v.split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::from(s.to_string()))
                    .collect(),
            ),
            "__contains" => Op::Contains(v.clone()),
            "__icontains" => Op::IContains(v.clone()),
            "__startswith" => Op::StartsWith(v.clone()),
            "__istartswith" => Op::IStartsWith(v.clone()),
            "__iexact" => Op::IExact(v.clone()),
            _ => continue,
        };
        crit.push(col, op);
    }
}

/// Numeric lookups on `col`: `field`, `__lt`, `__lte`, `__gt`, `__gte`, `__ne`, `__isnull`.
pub fn numeric(p: &Params, crit: &mut Criteria, field: &str, col: &str) -> Result<(), Error> {
    for (k, v) in &p.0 {
        let Some(suffix) = k.strip_prefix(field) else {
            continue;
        };
        if suffix == "__isnull" {
            crit.push(col, Op::IsNull(matches!(v.as_str(), "true" | "True" | "1")));
            continue;
        }
        let n: i64 = v.parse().map_err(|_| Error::field(k, "Enter a number."))?;
        let op = match suffix {
            "" => Op::Eq(n.into()),
            "__ne" => Op::Ne(n.into()),
            "__lt" => Op::Lt(n.into()),
            "__lte" => Op::Lte(n.into()),
            "__gt" => Op::Gt(n.into()),
            "__gte" => Op::Gte(n.into()),
            _ => continue,
        };
        crit.push(col, op);
    }
    Ok(())
}

/// `pulp_id__in`, `pulp_href__in`, `prn__in` on the id column `col`.
pub fn ids(
    p: &Params,
    crit: &mut Criteria,
    col: &str,
    href_prefix: &str,
    prn_model: &str,
) -> Result<(), Error> {
    if let Some(list) = p.list("pulp_id__in") {
        let ids: Result<Vec<Uuid>, _> = list.iter().map(|s| Uuid::parse_str(s)).collect();
        let ids = ids.map_err(|_| Error::field("pulp_id__in", "Enter a valid UUID."))?;
        crit.push(col, Op::In(ids.into_iter().map(Value::from).collect()));
    }
    for key in ["pulp_href__in", "prn__in"] {
        if let Some(list) = p.list(key) {
            let ids: Vec<Value> = list
                .iter()
                .filter_map(|h| hrefs::parse_id(h, href_prefix, prn_model))
                .map(Value::from)
                .collect();
            crit.push(col, Op::In(ids));
        }
    }
    Ok(())
}

/// `ordering=a,-b` over `allowed` (field → column); default when absent.
pub fn ordering(
    p: &Params,
    crit: &mut Criteria,
    allowed: &[(&str, &str)],
    default: &[&str],
) -> Result<(), Error> {
    match p.get("ordering").filter(|s| !s.is_empty()) {
        None => crit.order = default.iter().map(|s| s.to_string()).collect(),
        Some(spec) => {
            for term in spec.split(',') {
                let (desc, name) = match term.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, term),
                };
                let col = allowed
                    .iter()
                    .find(|(f, _)| *f == name)
                    .map(|(_, c)| *c)
                    .ok_or_else(|| Error::field("ordering", format!("Select a valid choice. {name} is not one of the available choices.")))?;
                crit.order.push(if desc {
                    format!("{col} DESC")
                } else {
                    col.to_string()
                });
            }
        }
    }
    Ok(())
}

/// Applies limit/offset.
pub fn paginate(p: &Params, crit: &mut Criteria) {
    let (limit, offset) = p.page();
    crit.limit = Some(limit);
    crit.offset = offset;
}

/// `pulp_label_select` (`key`, `!key`, `key=value`, `key!=value`, `key~substring`, comma-joined)
/// as `LIKE` conditions over the compact JSON text the labels are stored as.
pub fn labels(p: &Params, crit: &mut Criteria, col: &str) {
    let Some(select) = p.get("pulp_label_select").filter(|s| !s.is_empty()) else {
        return;
    };
    let j = |s: &str| serde_json::to_string(s.trim()).unwrap_or_default();
    let esc = |s: String| {
        s.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    };
    for term in select.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (negate, pattern) = if let Some((k, v)) = term.split_once("!=") {
            (true, format!("%{}:{}%", esc(j(k)), esc(j(v))))
        } else if let Some((k, v)) = term.split_once('=') {
            (false, format!("%{}:{}%", esc(j(k)), esc(j(v))))
        } else if let Some((k, v)) = term.split_once('~') {
            (
                false,
                format!("%{}:\"%{}%", esc(j(k)), esc(v.trim().to_string())),
            )
        } else if let Some(k) = term.strip_prefix('!') {
            (true, format!("%{}:%", esc(j(k))))
        } else {
            (false, format!("%{}:%", esc(j(term))))
        };
        let not = if negate { "NOT " } else { "" };
        crit.push(
            "",
            Op::Sql(
                format!("{col} {not}LIKE ? ESCAPE '\\'"),
                vec![pattern.into()],
            ),
        );
    }
}
