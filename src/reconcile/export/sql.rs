//! The Athena side of the export: ONE query over a CUR 2.0 table, parameterised by the month and
//! the usage types logplan maps, that returns exactly the rows the local reader builds
//! ([`super::local`]): the same filter, the same keys, each amount cast to `DECIMAL(38,10)`
//! before an exact `SUM`. A second, optional query reads log groups' tag values for showback.
//!
//! Only SQL that Trino (Athena engine v3) and DuckDB read alike is used, so the test suite proves
//! the text on the fixture exports with DuckDB: `LIKE`, `IN`, `CASE`, `substr`, `CAST`, `COALESCE`,
//! `COUNT`/`SUM`, and, for tags, `contains(map_keys(m), k)` before `m[k]` (a missing key is an
//! error in Trino's subscript, so it is never evaluated for one).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{
    CLOUDWATCH_PRODUCT, ExportRow, PATH_FEATURES, PATH_PRODUCTS, TagCounts, cur_tag_key,
    local::CUR2,
};
use crate::period::Period;

/// SQL string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Optional partition pruning: the table's partition column and its value for the month
/// (Data Exports writes `BILLING_PERIOD=YYYY-MM` folders; Glue names the column
/// `billing_period`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partition {
    pub column: Option<String>,
}

fn month_filter(period: &Period, partition: &Partition) -> String {
    let mut f = format!(
        "{p} >= TIMESTAMP '{} 00:00:00' AND {p} < TIMESTAMP '{} 00:00:00'",
        period.start,
        period.end,
        p = CUR2.period
    );
    if let Some(c) = &partition.column {
        f = format!("{c} = {} AND {f}", quote(&period.label()));
    }
    f
}

fn wanted_filter() -> String {
    let products: Vec<String> = PATH_PRODUCTS.iter().map(|p| quote(p)).collect();
    let exact: Vec<String> = PATH_FEATURES.iter().map(|f| quote(f)).collect();
    let suffix: Vec<String> = PATH_FEATURES
        .iter()
        .map(|f| format!("{} LIKE {}", CUR2.usage_type, quote(&format!("%-{f}"))))
        .collect();
    format!(
        "({prod} = {cw} OR ({prod} IN ({products}) AND ({ut} IN ({exact}) OR {suffix})))",
        prod = CUR2.product,
        cw = quote(CLOUDWATCH_PRODUCT),
        products = products.join(", "),
        ut = CUR2.usage_type,
        exact = exact.join(", "),
        suffix = suffix.join(" OR "),
    )
}

fn log_group_resource() -> String {
    format!(
        "CASE WHEN {r} LIKE 'arn:%:log-group:%' THEN {r} ELSE '' END",
        r = CUR2.resource
    )
}

fn text(col: &str) -> String {
    format!("COALESCE(CAST({col} AS VARCHAR), '')")
}

fn exact_sum(col: &str) -> String {
    format!("SUM(CAST({col} AS DECIMAL(38,10)))")
}

/// Column names of the reconciliation query's result, in order.
pub const COLUMNS: &[&str] = &[
    "payer",
    "period",
    "account",
    "product",
    "usage_type",
    "region",
    "line_type",
    "unit",
    "resource",
    "lines",
    "amount",
    "cost",
    "net",
];

/// The reconciliation query over `table` (`database.table`) for the month.
pub fn reconciliation_query(table: &str, period: &Period, partition: &Partition) -> String {
    let c = CUR2;
    format!(
        "SELECT\n  {payer} AS payer,\n  substr({period_col}, 1, 7) AS period,\n  {account} AS account,\n  \
         {product} AS product,\n  {usage_type} AS usage_type,\n  {region} AS region,\n  \
         {line_type} AS line_type,\n  {unit} AS unit,\n  {resource} AS resource,\n  \
         COUNT(*) AS lines,\n  {amount} AS amount,\n  {cost} AS cost,\n  {net} AS net\n\
         FROM {table}\nWHERE {month}\n  AND {wanted}\n\
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9\nORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9",
        payer = text(c.payer),
        period_col = text(c.period),
        account = text(c.account),
        product = text(c.product),
        usage_type = text(c.usage_type),
        region = text(c.region),
        line_type = text(c.line_type),
        unit = text(c.unit),
        resource = log_group_resource(),
        amount = exact_sum(c.amount),
        cost = exact_sum(c.cost),
        net = exact_sum(c.net),
        month = month_filter(period, partition),
        wanted = wanted_filter(),
    )
}

/// The tag query: per log group and combination of the wanted tags' values, the lines.
pub fn tags_query(
    table: &str,
    period: &Period,
    partition: &Partition,
    tag_keys: &[String],
) -> String {
    let tags: Vec<String> = tag_keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let key = quote(&cur_tag_key(k));
            format!(
                "  CASE WHEN contains(map_keys({m}), {key}) THEN {m}[{key}] END AS tag_{i}",
                m = CUR2.tags
            )
        })
        .collect();
    let group: Vec<String> = (1..=tag_keys.len() + 1).map(|i| i.to_string()).collect();
    format!(
        "SELECT\n  {r} AS resource,\n{tags},\n  COUNT(*) AS lines\nFROM {table}\nWHERE {month}\n  \
         AND {wanted}\n  AND {r} LIKE 'arn:%:log-group:%'\nGROUP BY {group}\nORDER BY {group}",
        r = CUR2.resource,
        tags = tags.join(",\n"),
        month = month_filter(period, partition),
        wanted = wanted_filter(),
        group = group.join(", "),
    )
}

/// A result row of [`reconciliation_query`], by column name, as an export row. `None` cells are
/// SQL NULLs.
pub fn row_of(cells: &BTreeMap<String, Option<String>>) -> Result<ExportRow, String> {
    let s = |n: &str| -> String { cells.get(n).cloned().flatten().unwrap_or_default() };
    let dec = |n: &str| -> Result<Option<Decimal>, String> {
        match cells.get(n).cloned().flatten() {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => super::super::actuals::decimal(&v)
                .map(|d| Some(d.normalize()))
                .ok_or_else(|| format!("column {n}: {v:?} is not a number")),
        }
    };
    let lines = s("lines");
    Ok(ExportRow {
        payer_account_id: s("payer"),
        billing_period: s("period"),
        usage_account_id: s("account"),
        product_code: s("product"),
        usage_type: s("usage_type"),
        region: s("region"),
        line_type: s("line_type"),
        unit: s("unit"),
        resource_id: s("resource"),
        lines: lines
            .parse()
            .map_err(|_| format!("column lines: {lines:?} is not a count"))?,
        usage_amount: dec("amount")?.unwrap_or_default(),
        unblended: dec("cost")?.unwrap_or_default(),
        net_unblended: dec("net")?,
    })
}

/// A result row of [`tags_query`] added to tag counts.
pub fn add_tag_row(
    counts: &mut TagCounts,
    tag_keys: &[String],
    cells: &BTreeMap<String, Option<String>>,
) -> Result<(), String> {
    let resource = cells.get("resource").cloned().flatten().unwrap_or_default();
    let lines: u64 = match cells.get("lines").cloned().flatten() {
        Some(v) => v
            .parse()
            .map_err(|_| format!("column lines: {v:?} is not a count"))?,
        None => 0,
    };
    for (i, key) in tag_keys.iter().enumerate() {
        if let Some(Some(v)) = cells.get(&format!("tag_{i}")) {
            counts.add(&resource, key, v, lines);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_the_month_and_the_mapped_usage_types() {
        let p = Period::month(2026, 10).unwrap();
        let q = reconciliation_query("cur.cur2", &p, &Partition::default());
        assert!(q.contains("FROM cur.cur2"));
        assert!(q.contains(
            "bill_billing_period_start_date >= TIMESTAMP '2026-10-01 00:00:00' AND \
             bill_billing_period_start_date < TIMESTAMP '2026-11-01 00:00:00'"
        ));
        assert!(q.contains("line_item_usage_type LIKE '%-DataTransfer-Out-Bytes'"));
        assert!(q.contains("SUM(CAST(line_item_unblended_cost AS DECIMAL(38,10))) AS cost"));
        let q = reconciliation_query(
            "cur.cur2",
            &p,
            &Partition {
                column: Some("billing_period".into()),
            },
        );
        assert!(q.contains("WHERE billing_period = '2026-10' AND"));
        let t = tags_query(
            "cur.cur2",
            &p,
            &Partition::default(),
            &["cost-center".into()],
        );
        assert!(t.contains(
            "CASE WHEN contains(map_keys(resource_tags), 'user_cost_center') THEN \
             resource_tags['user_cost_center'] END AS tag_0"
        ));
        assert_eq!(quote("a'b"), "'a''b'");
    }

    #[test]
    fn result_rows_parse_exactly() {
        let mut cells: BTreeMap<String, Option<String>> = COLUMNS
            .iter()
            .map(|c| (c.to_string(), Some(String::new())))
            .collect();
        cells.insert("lines".into(), Some("3".into()));
        cells.insert("cost".into(), Some("12.3400000000".into()));
        cells.insert("amount".into(), Some("1.2E-7".into()));
        cells.insert("net".into(), None);
        let r = row_of(&cells).unwrap();
        assert_eq!(r.unblended, "12.34".parse().unwrap());
        assert_eq!(r.usage_amount, "0.00000012".parse().unwrap());
        assert_eq!(r.net_unblended, None);
        cells.insert("lines".into(), Some("x".into()));
        assert!(row_of(&cells).unwrap_err().contains("lines"));
    }
}
