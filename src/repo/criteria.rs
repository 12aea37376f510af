//! The SQL side of typed list queries: conditions (column, operator, value) and `ORDER BY`
//! terms collected into [`Criteria`], turned into a `WHERE` clause here, so every list is one
//! count query and one page query. The generic lookups of `domain::query` (text, comparisons,
//! labels, ordering, paging) are translated here; `repo::lists` does each resource's filters.
use super::{all, one, placeholders};
use crate::domain::query::{Cmp, LabelTerm, Page, Sort, Text};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Value};

#[derive(Debug, Clone)]
pub enum Op {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    Contains(String),
    IContains(String),
    StartsWith(String),
    IStartsWith(String),
    IExact(String),
    Lt(Value),
    Lte(Value),
    Gt(Value),
    Gte(Value),
    IsNull(bool),
    /// An SQL condition with `?` placeholders (subqueries written in `repo`).
    Sql(String, Vec<Value>),
}

#[derive(Debug, Clone, Default)]
pub struct Criteria {
    pub conds: Vec<(String, Op)>,
    /// `ORDER BY` terms: column names with optional `DESC`.
    pub order: Vec<String>,
    pub limit: Option<u64>,
    pub offset: u64,
}

impl Criteria {
    pub fn push(&mut self, col: &str, op: Op) {
        self.conds.push((col.to_string(), op));
    }

    /// A condition written in SQL.
    pub fn sql(&mut self, sql: impl Into<String>, values: Vec<Value>) {
        self.conds
            .push((String::new(), Op::Sql(sql.into(), values)));
    }

    /// A condition no row meets.
    pub fn nothing(&mut self) {
        self.sql("1 = 0", vec![]);
    }

    /// `col IN (…)` over `values` (none: nothing matches).
    pub fn any_of<V: Into<Value> + Clone>(&mut self, col: &str, values: &[V]) {
        self.push(
            col,
            Op::In(values.iter().cloned().map(Into::into).collect()),
        );
    }

    /// A text lookup on `col`.
    pub fn text(&mut self, col: &str, t: &Text) {
        let op = match t {
            Text::Eq(s) => Op::Eq(s.clone().into()),
            Text::Ne(s) => Op::Ne(s.clone().into()),
            Text::In(v) => Op::In(v.iter().map(|s| Value::from(s.clone())).collect()),
            Text::Contains(s) => Op::Contains(s.clone()),
            Text::IContains(s) => Op::IContains(s.clone()),
            Text::StartsWith(s) => Op::StartsWith(s.clone()),
            Text::IStartsWith(s) => Op::IStartsWith(s.clone()),
            Text::IExact(s) => Op::IExact(s.clone()),
        };
        self.push(col, op);
    }

    /// A comparison on `col`.
    pub fn cmp<V: Into<Value> + Clone>(&mut self, col: &str, c: &Cmp<V>) {
        let v = |x: &V| x.clone().into();
        let op = match c {
            Cmp::Eq(x) => Op::Eq(v(x)),
            Cmp::Ne(x) => Op::Ne(v(x)),
            Cmp::Lt(x) => Op::Lt(v(x)),
            Cmp::Lte(x) => Op::Lte(v(x)),
            Cmp::Gt(x) => Op::Gt(v(x)),
            Cmp::Gte(x) => Op::Gte(v(x)),
            Cmp::IsNull(b) => Op::IsNull(*b),
        };
        self.push(col, op);
    }

    /// A label selector term on `col`, which holds the labels as compact JSON text.
    pub fn label(&mut self, col: &str, term: &LabelTerm) {
        let j = |s: &str| like_escape(&serde_json::to_string(s.trim()).unwrap_or_default());
        let (negate, pattern) = match term {
            LabelTerm::IsNot(k, v) => (true, format!("%{}:{}%", j(k), j(v))),
            LabelTerm::Is(k, v) => (false, format!("%{}:{}%", j(k), j(v))),
            LabelTerm::Contains(k, v) => (false, format!("%{}:\"%{}%", j(k), like_escape(v))),
            LabelTerm::Lacks(k) => (true, format!("%{}:%", j(k))),
            LabelTerm::Has(k) => (false, format!("%{}:%", j(k))),
        };
        let not = if negate { "NOT " } else { "" };
        self.sql(
            format!("{col} {not}LIKE ? ESCAPE '\\'"),
            vec![pattern.into()],
        );
    }

    /// `ORDER BY` from `sorts` (columns by `column`), or `default` when there are none.
    pub fn order<O: Copy>(
        &mut self,
        sorts: &[Sort<O>],
        column: fn(O) -> &'static str,
        default: &[&str],
    ) {
        if sorts.is_empty() {
            self.order = default.iter().map(|s| s.to_string()).collect();
            return;
        }
        for s in sorts {
            let col = column(s.key);
            self.order.push(if s.desc {
                format!("{col} DESC")
            } else {
                col.to_string()
            });
        }
    }

    pub fn page(&mut self, page: Option<Page>) {
        if let Some(p) = page {
            self.limit = Some(p.limit);
            self.offset = p.offset;
        }
    }
}

pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `WHERE …` (or empty) and its values.
pub fn where_clause(c: &Criteria) -> (String, Vec<Value>) {
    let mut parts = vec![];
    let mut values = vec![];
    let lower = |col: &str| format!("LOWER({col})");
    let esc = " ESCAPE '\\'";
    for (col, op) in &c.conds {
        match op {
            Op::Eq(v) => {
                parts.push(format!("{col} = ?"));
                values.push(v.clone());
            }
            Op::Ne(v) => {
                parts.push(format!("{col} <> ?"));
                values.push(v.clone());
            }
            Op::In(vs) if vs.is_empty() => parts.push("1 = 0".into()),
            Op::In(vs) => {
                parts.push(format!("{col} IN ({})", placeholders(vs.len())));
                values.extend(vs.iter().cloned());
            }
            Op::Contains(s) => {
                parts.push(format!("{col} LIKE ?{esc}"));
                values.push(format!("%{}%", like_escape(s)).into());
            }
            Op::IContains(s) => {
                parts.push(format!("{} LIKE ?{esc}", lower(col)));
                values.push(format!("%{}%", like_escape(&s.to_lowercase())).into());
            }
            Op::StartsWith(s) => {
                parts.push(format!("{col} LIKE ?{esc}"));
                values.push(format!("{}%", like_escape(s)).into());
            }
            Op::IStartsWith(s) => {
                parts.push(format!("{} LIKE ?{esc}", lower(col)));
                values.push(format!("{}%", like_escape(&s.to_lowercase())).into());
            }
            Op::IExact(s) => {
                parts.push(format!("{} = ?", lower(col)));
                values.push(s.to_lowercase().into());
            }
            Op::Lt(v) | Op::Lte(v) | Op::Gt(v) | Op::Gte(v) => {
                let sym = match op {
                    Op::Lt(_) => "<",
                    Op::Lte(_) => "<=",
                    Op::Gt(_) => ">",
                    _ => ">=",
                };
                parts.push(format!("{col} {sym} ?"));
                values.push(v.clone());
            }
            Op::IsNull(true) => parts.push(format!("{col} IS NULL")),
            Op::IsNull(false) => parts.push(format!("{col} IS NOT NULL")),
            Op::Sql(sql, vs) => {
                parts.push(format!("({sql})"));
                values.extend(vs.iter().cloned());
            }
        }
    }
    if parts.is_empty() {
        (String::new(), values)
    } else {
        (format!(" WHERE {}", parts.join(" AND ")), values)
    }
}

/// The page statement `SELECT <select> FROM <from> WHERE … ORDER BY … LIMIT ? OFFSET ?`.
pub fn page_sql(select: &str, from: &str, crit: &Criteria) -> (String, Vec<Value>) {
    let (wh, mut values) = where_clause(crit);
    let order = if crit.order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", crit.order.join(", "))
    };
    let mut sql = format!("SELECT {select} FROM {from}{wh}{order}");
    if let Some(limit) = crit.limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        values.push((limit as i64).into());
        values.push((crit.offset as i64).into());
    }
    (sql, values)
}

/// Runs `SELECT <select> FROM <from>` under the criteria: the total count and one page.
pub async fn page(
    c: &impl ConnectionTrait,
    select: &str,
    from: &str,
    crit: &Criteria,
) -> Result<(u64, Vec<QueryResult>), DbErr> {
    let (wh, values) = where_clause(crit);
    let count_row = one(c, &format!("SELECT COUNT(*) AS n FROM {from}{wh}"), values).await?;
    let count: i64 = match count_row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    let (sql, values) = page_sql(select, from, crit);
    let rows = all(c, &sql, values).await?;
    Ok((count.max(0) as u64, rows))
}
