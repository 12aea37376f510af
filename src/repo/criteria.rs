//! List criteria built from Pulp filters: pure data (column, operator, value) turned into a
//! `WHERE` clause here, so every list is one count query and one page query.
use super::{all, one, placeholders};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};

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
    /// Raw SQL condition with `?` placeholders (for subqueries written in `repo`).
    Sql(String, Vec<Value>),
}

#[derive(Debug, Clone, Default)]
pub struct Criteria {
    pub conds: Vec<(String, Op)>,
    /// `ORDER BY` terms, already validated column names with optional `DESC`.
    pub order: Vec<String>,
    pub limit: Option<u64>,
    pub offset: u64,
}

impl Criteria {
    pub fn push(&mut self, col: &str, op: Op) {
        self.conds.push((col.to_string(), op));
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `WHERE …` (or empty) and its values.
pub fn where_clause(c: &Criteria, backend: DbBackend) -> (String, Vec<Value>) {
    let mut parts = vec![];
    let mut values = vec![];
    let lower = |col: &str| format!("LOWER({col})");
    let esc = " ESCAPE '\\'";
    let _ = backend;
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

/// Runs `SELECT <select> FROM <from>` under the criteria: the total count and one page.
pub async fn page(
    c: &impl ConnectionTrait,
    select: &str,
    from: &str,
    crit: &Criteria,
) -> Result<(u64, Vec<QueryResult>), DbErr> {
    let (wh, values) = where_clause(crit, c.get_database_backend());
    let count_row = one(
        c,
        &format!("SELECT COUNT(*) AS n FROM {from}{wh}"),
        values.clone(),
    )
    .await?;
    let count: i64 = match count_row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    let order = if crit.order.is_empty() {
        String::new()
    } else {
        format!(" ORDER BY {}", crit.order.join(", "))
    };
    let mut sql = format!("SELECT {select} FROM {from}{wh}{order}");
    let mut values = values;
    if let Some(limit) = crit.limit {
        sql.push_str(" LIMIT ? OFFSET ?");
        values.push((limit as i64).into());
        values.push((crit.offset as i64).into());
    }
    let rows = all(c, &sql, values).await?;
    Ok((count.max(0) as u64, rows))
}
