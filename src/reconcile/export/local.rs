//! Reading one export file (Parquet, CSV or gzip CSV) with polars: a lazy scan that reads only
//! the columns the aggregation needs (projection pushdown), keeps only the lines of the
//! products and usage types logplan maps (predicate pushdown), and sums them per key on the
//! streaming engine, so a month of tens of GB never sits in memory. Money and quantities are
//! rounded to 10 decimal places per line (`Decimal(38,10)`, as Athena's `CAST(x AS
//! DECIMAL(38,10))`) and summed exactly. Gzip CSV is first inflated to a temporary file beside
//! nothing else (the system temp dir), one file at a time.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use rust_decimal::Decimal;

use super::{
    CLOUDWATCH_PRODUCT, ExportRow, Kind, PATH_FEATURES, PATH_PRODUCTS, TagCounts, cur_tag_key,
    tag_key_matches,
};
use crate::error::{Error, Result};

/// The columns of one export table that the aggregation reads.
#[derive(Clone, Copy, Debug)]
pub struct Columns {
    pub payer: &'static str,
    pub period: &'static str,
    pub account: &'static str,
    pub product: &'static str,
    pub usage_type: &'static str,
    pub region: &'static str,
    pub line_type: &'static str,
    pub unit: &'static str,
    pub amount: &'static str,
    pub cost: &'static str,
    /// Optional: read where present.
    pub net: &'static str,
    pub resource: &'static str,
    pub tags: &'static str,
}

/// CUR 2.0 (Data Exports `COST_AND_USAGE_REPORT`).
pub const CUR2: Columns = Columns {
    payer: "bill_payer_account_id",
    period: "bill_billing_period_start_date",
    account: "line_item_usage_account_id",
    product: "line_item_product_code",
    usage_type: "line_item_usage_type",
    region: "product_region_code",
    line_type: "line_item_line_item_type",
    unit: "pricing_unit",
    amount: "line_item_usage_amount",
    cost: "line_item_unblended_cost",
    net: "line_item_net_unblended_cost",
    resource: "line_item_resource_id",
    tags: "resource_tags",
};

/// FOCUS 1.2 with AWS columns (Data Exports `FOCUS_1_2_AWS`): the usage type is `SkuMeter`,
/// the product code `x_ServiceCode`; BilledCost is what the invoice says, EffectiveCost the
/// net (amortized) cost.
pub const FOCUS12: Columns = Columns {
    payer: "BillingAccountId",
    period: "BillingPeriodStart",
    account: "SubAccountId",
    product: "x_ServiceCode",
    usage_type: "SkuMeter",
    region: "RegionId",
    line_type: "ChargeCategory",
    unit: "ConsumedUnit",
    amount: "ConsumedQuantity",
    cost: "BilledCost",
    net: "EffectiveCost",
    resource: "ResourceId",
    tags: "Tags",
};

pub fn columns(kind: Kind) -> Columns {
    match kind {
        Kind::Cur2 => CUR2,
        Kind::Focus => FOCUS12,
    }
}

/// Columns only FOCUS 1.2 has (1.1 added SkuMeter and ServiceSubcategory; 1.2 the invoice,
/// billing-account type and pricing-currency columns), and columns only AWS's FOCUS 1.0 export
/// has (x_UsageType became SkuMeter, x_CostCategories went into Tags).
const FOCUS_12_MARKERS: &[&str] = &[
    "SkuMeter",
    "InvoiceId",
    "BillingAccountType",
    "SubAccountType",
    "PricingCurrency",
];
const FOCUS_10_MARKERS: &[&str] = &["x_UsageType", "x_CostCategories"];

/// What one file held, aggregated.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Summed per key and, when tags are read, per tag set: a key can have several rows, which
    /// [`super::Merger`] adds up.
    pub rows: Vec<ExportRow>,
    pub tags: TagCounts,
    pub has_resource_ids: bool,
}

/// The lines a reconciliation reads: CloudWatch's, and the mapped usage types of the products
/// the forwarding paths use. The same predicate as the Athena query ([`super::sql`]).
fn wanted(c: &Columns) -> Expr {
    let product = col(c.product).cast(DataType::String);
    let usage_type = col(c.usage_type).cast(DataType::String);
    let mut feature = lit(false);
    for f in PATH_FEATURES {
        feature = feature
            .or(usage_type.clone().eq(lit(*f)))
            .or(usage_type.clone().str().ends_with(lit(format!("-{f}"))));
    }
    let path_products = Series::new("p".into(), PATH_PRODUCTS);
    product.clone().eq(lit(CLOUDWATCH_PRODUCT)).or(product
        .is_in(lit(path_products).implode(false), false)
        .and(feature))
}

/// `line_item_resource_id` when it is a log group's ARN (`arn:<partition>:logs:<region>:
/// <account>:log-group:<name>`), else empty: SQL's `LIKE 'arn:%:log-group:%'`.
fn log_group_resource(c: &Columns, has_resource: bool) -> Expr {
    if !has_resource {
        return lit("");
    }
    let r = col(c.resource).cast(DataType::String);
    when(
        r.clone().str().starts_with(lit("arn:")).and(
            r.clone()
                .str()
                .slice(lit(4), lit(NULL).cast(DataType::UInt64))
                .str()
                .contains_literal(lit(":log-group:")),
        ),
    )
    .then(r)
    .otherwise(lit(""))
}

/// A money or quantity column as Decimal(38,10): each line rounded to 10 places.
fn exact(name: &str) -> Expr {
    col(name)
        .cast(DataType::Float64)
        .cast(DataType::Decimal(38, 10))
}

fn text(name: &str) -> Expr {
    col(name).cast(DataType::String).fill_null(lit(""))
}

/// The file's format, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
    CsvGz,
}

pub fn format_of(name: &str) -> Option<Format> {
    let n = name.to_ascii_lowercase();
    if n.ends_with(".parquet") {
        Some(Format::Parquet)
    } else if n.ends_with(".csv.gz") || n.ends_with(".csv.gzip") {
        Some(Format::CsvGz)
    } else if n.ends_with(".csv") {
        Some(Format::Csv)
    } else {
        None
    }
}

fn polars_err(file: &str, what: &str, e: PolarsError) -> Error {
    Error::Input {
        path: PathBuf::from(file),
        message: format!("{what}: {}", e.to_string().replace('\n', " ")),
    }
}

/// A gzip CSV inflated to a temporary file (removed when dropped).
fn inflate(path: &Path, file: &str) -> Result<tempfile::NamedTempFile> {
    let err = |e: std::io::Error| Error::Input {
        path: PathBuf::from(file),
        message: format!("cannot inflate the gzip CSV: {e}"),
    };
    let src = std::fs::File::open(path).map_err(err)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".logplan-export-")
        .suffix(".csv")
        .tempfile()
        .map_err(err)?;
    let mut dec = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(src));
    std::io::copy(&mut dec, tmp.as_file_mut()).map_err(err)?;
    Ok(tmp)
}

fn scan(path: &Path, format: Format, file: &str) -> Result<LazyFrame> {
    let p = PlRefPath::try_from_path(path).map_err(|e| polars_err(file, "bad path", e))?;
    match format {
        Format::Parquet => LazyFrame::scan_parquet(p, ScanArgsParquet::default())
            .map_err(|e| polars_err(file, "cannot read as Parquet", e)),
        // Every column as text: account ids keep their leading zeros, and numbers are cast
        // exactly where they are used.
        Format::Csv | Format::CsvGz => LazyCsvReader::new(p)
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .finish()
            .map_err(|e| polars_err(file, "cannot read as CSV", e)),
    }
}

/// Read one export file (`path` on disk, named `file` in messages) of `kind` and aggregate it.
/// `tag_keys` are the configured tag keys whose values are wanted per log group.
pub fn read_file(path: &Path, file: &str, kind: Kind, tag_keys: &[String]) -> Result<FileResult> {
    let format = format_of(file).ok_or_else(|| Error::Input {
        path: PathBuf::from(file),
        message: "not an export file: expected .parquet, .csv or .csv.gz".into(),
    })?;
    let inflated = match format {
        Format::CsvGz => Some(inflate(path, file)?),
        _ => None,
    };
    let path = inflated.as_ref().map_or(path, |t| t.path());
    let mut lf = scan(path, format, file)?;
    let schema = lf
        .collect_schema()
        .map_err(|e| polars_err(file, "cannot read the header", e))?;
    let c = columns(kind);
    let has = |n: &str| schema.get(n).is_some();
    if kind == Kind::Focus {
        check_focus_version(file, &has)?;
    }
    let required = [
        c.payer,
        c.period,
        c.account,
        c.product,
        c.usage_type,
        c.region,
        c.line_type,
        c.unit,
        c.amount,
        c.cost,
    ];
    if let Some(missing) = required.iter().find(|n| !has(n)) {
        return Err(Error::Input {
            path: PathBuf::from(file),
            message: format!(
                "missing column {missing}: not a {} export, or one made without it",
                kind.label()
            ),
        });
    }
    let has_resource = has(c.resource);
    let has_net = has(c.net);

    let keys = [
        text(c.payer).alias("payer"),
        text(c.period)
            .str()
            .slice(lit(0), lit(7u64))
            .alias("period"),
        text(c.account).alias("account"),
        text(c.product).alias("product"),
        text(c.usage_type).alias("usage_type"),
        text(c.region).alias("region"),
        text(c.line_type).alias("line_type"),
        text(c.unit).alias("unit"),
        log_group_resource(&c, has_resource).alias("resource"),
    ];
    let mut aggs = vec![
        len().alias("lines"),
        exact(c.amount).sum().alias("amount"),
        exact(c.cost).sum().alias("cost"),
    ];
    if has_net {
        aggs.push(exact(c.net).sum().alias("net"));
        // SQL's SUM of only NULLs is NULL; polars' is 0: count the values to tell them apart.
        aggs.push(col(c.net).count().alias("net_n"));
    }
    let tags = if tag_keys.is_empty() || !has_resource {
        None
    } else {
        tag_source(&schema, &c, kind, tag_keys)
    };
    // One scan: the lines are summed per tag set too, and the tags counted from those sums.
    let mut keys = keys.to_vec();
    keys.extend(tags.iter().flat_map(|t| t.keys(&c)));
    let df = lf
        .filter(wanted(&c))
        .group_by(keys)
        .agg(aggs)
        .collect_with_engine(Engine::Streaming)
        .map(|r| r.unwrap_single())
        .map_err(|e| polars_err(file, &format!("cannot aggregate the {}", kind.label()), e))?;
    let rows = rows_of(&df, has_net).map_err(|e| polars_err(file, "unexpected column type", e))?;
    let tags = match tags {
        None => TagCounts::default(),
        Some(t) => t
            .count(&df, tag_keys)
            .map_err(|e| polars_err(file, "tags", e))?,
    };
    Ok(FileResult {
        rows,
        tags,
        has_resource_ids: has_resource,
    })
}

/// FOCUS 1.2 only: a FOCUS 1.0 or 1.1 file is refused with one line naming what it lacks.
fn check_focus_version(file: &str, has: &dyn Fn(&str) -> bool) -> Result<()> {
    let missing: Vec<&str> = FOCUS_12_MARKERS
        .iter()
        .copied()
        .filter(|m| !has(m))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let version = if FOCUS_10_MARKERS.iter().any(|m| has(m)) {
        "a FOCUS 1.0 export"
    } else if has("SkuMeter") && has("ServiceSubcategory") {
        "a FOCUS 1.1 export"
    } else {
        "not a FOCUS 1.2 export"
    };
    Err(Error::Input {
        path: PathBuf::from(file),
        message: format!(
            "{version} (no column {}): logplan reads FOCUS 1.2 (the Data Exports table \
             FOCUS_1_2_AWS)",
            missing.join(", ")
        ),
    })
}

fn decimal_at(s: &Column, i: usize) -> PolarsResult<Option<Decimal>> {
    let ca = s.decimal()?;
    Ok(ca
        .physical()
        .get(i)
        .map(|v| Decimal::from_i128_with_scale(v, ca.scale() as u32).normalize()))
}

fn rows_of(df: &DataFrame, has_net: bool) -> PolarsResult<Vec<ExportRow>> {
    let s = |n: &str| -> PolarsResult<StringChunked> {
        Ok(df.column(n)?.cast(&DataType::String)?.str()?.clone())
    };
    let (payer, period, account, product, usage_type, region, line_type, unit, resource) = (
        s("payer")?,
        s("period")?,
        s("account")?,
        s("product")?,
        s("usage_type")?,
        s("region")?,
        s("line_type")?,
        s("unit")?,
        s("resource")?,
    );
    let lines = df.column("lines")?.cast(&DataType::UInt64)?;
    let lines = lines.u64()?;
    let (amount, cost) = (df.column("amount")?, df.column("cost")?);
    let net = if has_net {
        let n = df.column("net_n")?.cast(&DataType::UInt64)?;
        Some((df.column("net")?, n.u64()?.clone()))
    } else {
        None
    };
    let mut out = Vec::with_capacity(df.height());
    let get = |ca: &StringChunked, i: usize| ca.get(i).unwrap_or("").to_string();
    for i in 0..df.height() {
        out.push(ExportRow {
            payer_account_id: get(&payer, i),
            billing_period: get(&period, i),
            usage_account_id: get(&account, i),
            product_code: get(&product, i),
            usage_type: get(&usage_type, i),
            region: get(&region, i),
            line_type: get(&line_type, i),
            unit: get(&unit, i),
            resource_id: get(&resource, i),
            lines: lines.get(i).unwrap_or(0),
            usage_amount: decimal_at(amount, i)?.unwrap_or_default(),
            unblended: decimal_at(cost, i)?.unwrap_or_default(),
            net_unblended: match &net {
                Some((n, count)) if count.get(i).unwrap_or(0) > 0 => decimal_at(n, i)?,
                _ => None,
            },
        });
    }
    Ok(out)
}

/// Where a file keeps the tags of its lines: the map column (`resource_tags` / `Tags`: Parquet
/// maps read as a list of key/value structs; CSV writes them as JSON objects), or legacy CUR's
/// `resource_tags_user_<key>` columns (wanted key, column).
enum TagSource {
    Map,
    Json,
    Legacy(Vec<(String, String)>),
}

fn tag_source(schema: &Schema, c: &Columns, kind: Kind, tag_keys: &[String]) -> Option<TagSource> {
    match schema.get(c.tags) {
        Some(DataType::List(inner)) if matches!(**inner, DataType::Struct(_)) => {
            Some(TagSource::Map)
        }
        Some(_) => Some(TagSource::Json),
        None if kind == Kind::Cur2 => Some(TagSource::Legacy(
            tag_keys
                .iter()
                .map(|want| (want.clone(), format!("resource_tags_{}", cur_tag_key(want))))
                .filter(|(_, name)| schema.get(name).is_some())
                .collect(),
        )),
        None => None,
    }
}

impl TagSource {
    /// The aggregation's extra keys: the tag columns.
    fn keys(&self, c: &Columns) -> Vec<Expr> {
        match self {
            TagSource::Map => vec![col(c.tags).alias("tags")],
            TagSource::Json => vec![text(c.tags).alias("tags")],
            TagSource::Legacy(cols) => cols
                .iter()
                .enumerate()
                .map(|(i, (_, name))| text(name).alias(format!("tag_{i}")))
                .collect(),
        }
    }

    /// Tag values of log groups, counted per (resource, key, value) over the log group's lines,
    /// from the aggregation (its `lines` per key and tag set).
    fn count(&self, df: &DataFrame, tag_keys: &[String]) -> PolarsResult<TagCounts> {
        let mut counts = TagCounts::default();
        let groups = df.clone().lazy().filter(col("resource").neq(lit("")));
        let sum_by = |q: LazyFrame, by: Vec<Expr>| {
            q.group_by(by)
                .agg([col("lines").sum().cast(DataType::UInt64).alias("n")])
                .collect()
        };
        match self {
            TagSource::Map => {
                let exploded = groups
                    .select([col("resource"), col("tags"), col("lines")])
                    .explode(
                        cols(["tags"]),
                        ExplodeOptions {
                            empty_as_null: true,
                            keep_nulls: true,
                        },
                    )
                    .select([
                        col("resource"),
                        col("tags").struct_().field_by_name("key").alias("k"),
                        col("tags").struct_().field_by_name("value").alias("v"),
                        col("lines"),
                    ])
                    .filter(col("k").is_not_null());
                let t = sum_by(exploded, vec![col("resource"), col("k"), col("v")])?;
                let (r, k, v, n) = (
                    t.column("resource")?.str()?.clone(),
                    t.column("k")?.cast(&DataType::String)?.str()?.clone(),
                    t.column("v")?.cast(&DataType::String)?.str()?.clone(),
                    t.column("n")?.u64()?.clone(),
                );
                for i in 0..t.height() {
                    let (Some(r), Some(k)) = (r.get(i), k.get(i)) else {
                        continue;
                    };
                    for want in tag_keys.iter().filter(|w| tag_key_matches(k, w)) {
                        counts.add(r, want, v.get(i).unwrap_or(""), n.get(i).unwrap_or(0));
                    }
                }
            }
            TagSource::Json => {
                let t = sum_by(groups, vec![col("resource"), col("tags")])?;
                let (r, tags, n) = (
                    t.column("resource")?.str()?.clone(),
                    t.column("tags")?.str()?.clone(),
                    t.column("n")?.u64()?.clone(),
                );
                for i in 0..t.height() {
                    let (Some(r), Some(json)) = (r.get(i), tags.get(i)) else {
                        continue;
                    };
                    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(json) else {
                        continue;
                    };
                    for (k, v) in map {
                        let Some(v) = v.as_str() else { continue };
                        for want in tag_keys.iter().filter(|w| tag_key_matches(&k, w)) {
                            counts.add(r, want, v, n.get(i).unwrap_or(0));
                        }
                    }
                }
            }
            TagSource::Legacy(cols) => {
                for (i, (want, _)) in cols.iter().enumerate() {
                    let name = format!("tag_{i}");
                    let t = sum_by(groups.clone(), vec![col("resource"), col(&name)])?;
                    let (r, v, n) = (
                        t.column("resource")?.str()?.clone(),
                        t.column(&name)?.str()?.clone(),
                        t.column("n")?.u64()?.clone(),
                    );
                    for i in 0..t.height() {
                        if let (Some(r), Some(v)) = (r.get(i), v.get(i)) {
                            counts.add(r, want, v, n.get(i).unwrap_or(0));
                        }
                    }
                }
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of("x/a-00001.snappy.parquet"), Some(Format::Parquet));
        assert_eq!(format_of("a.csv.gz"), Some(Format::CsvGz));
        assert_eq!(format_of("A.CSV"), Some(Format::Csv));
        assert_eq!(format_of("Manifest.json"), None);
    }
}
