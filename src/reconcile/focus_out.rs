//! FOCUS out: the model as a FOCUS 1.2 cost and usage dataset (`focus.csv`, `focus.parquet`),
//! so a FinOps tool that imports FOCUS from custom providers shows the model next to the bill.
//! Two scenarios: today's lines (`x_logplan_scenario = today`) and the comparison path's
//! (`comparison`, the path the report calls cheapest), each line as a charge: quantity x unit
//! price = cost, the price id and status in `x_logplan_*` columns. Columns follow FOCUS 1.2
//! (the 57 columns of AWS's FOCUS 1.2 table, in its order; columns the model has nothing for
//! are null). Rows are streamed: the CSV one line at a time, the Parquet file in row groups.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path as FsPath;

use polars::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::groups::GroupKey;
use crate::csv_line::Encoded;
use crate::error::Result;
use crate::model::{Component, Line, Model, Path};
use crate::money::MicroUsd;

/// The FOCUS 1.2 columns, in AWS's order (docs.aws.amazon.com/cur/latest/userguide/
/// table-dictionary-focus-1-2-aws-columns.html, without its three `x_` columns), then logplan's.
pub const COLUMNS: &[&str] = &[
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "CommitmentDiscountUnit",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceId",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceDetails",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "Tags",
    "x_logplan_scenario",
    "x_logplan_path",
    "x_logplan_price_id",
    "x_logplan_price_status",
];

/// Which service a component is billed by: (provider, invoice issuer, service name, FOCUS
/// service category, service subcategory).
fn service(
    c: Component,
) -> (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
) {
    use Component::*;
    const AWS: &str = "AWS";
    const AWS_ISSUER: &str = "Amazon Web Services, Inc.";
    match c {
        DatadogIngest | DatadogIndex | DatadogFlex => (
            "Datadog",
            "Datadog, Inc.",
            "Datadog Log Management",
            "Management and Governance",
            "Observability",
        ),
        LambdaRequests | LambdaDuration | FreeTierLambdaRequests | FreeTierLambdaDuration => (
            AWS,
            AWS_ISSUER,
            "AWS Lambda",
            "Compute",
            "Serverless Compute",
        ),
        EgressInternet | EgressSameRegion | FreeTierEgress => (
            AWS,
            AWS_ISSUER,
            "AWS Data Transfer",
            "Networking",
            "Network Connectivity",
        ),
        PrivatelinkData | PrivatelinkEndpointHours => (
            AWS,
            AWS_ISSUER,
            "Amazon Virtual Private Cloud",
            "Networking",
            "Network Connectivity",
        ),
        FirehoseIngest => (
            AWS,
            AWS_ISSUER,
            "Amazon Data Firehose",
            "Analytics",
            "Streaming Analytics",
        ),
        _ => (
            AWS,
            AWS_ISSUER,
            "Amazon CloudWatch",
            "Management and Governance",
            "Observability",
        ),
    }
}

/// One charge: a model line in a scenario.
struct Charge<'a> {
    scenario: &'static str,
    line: &'a Line,
}

/// What the writers need besides the lines.
pub struct Context<'a> {
    pub model: &'a Model,
    /// `YYYY-MM-DDT00:00:00Z` bounds of the period, when known.
    pub period: Option<(String, String)>,
    pub comparison: Path,
    pub tags: &'a BTreeMap<GroupKey, BTreeMap<String, String>>,
}

impl Context<'_> {
    fn charges(&self) -> impl Iterator<Item = Charge<'_>> {
        let today = self.model.today_lines.iter().map(|line| Charge {
            scenario: "today",
            line,
        });
        let comparison = self
            .model
            .lines
            .iter()
            .filter(move |l| l.path == self.comparison)
            .map(|line| Charge {
                scenario: "comparison",
                line,
            });
        today.chain(comparison)
    }

    fn account(&self, l: &Line) -> &str {
        self.model
            .accounts
            .get(l.account as usize)
            .map_or("", String::as_str)
    }

    fn region(&self, l: &Line) -> &str {
        self.model
            .regions
            .get(l.region as usize)
            .map_or("", String::as_str)
    }

    fn group(&self, l: &Line) -> Option<&crate::snapshot::GroupInput> {
        l.group.and_then(|g| self.model.groups.get(g as usize))
    }

    fn resource_id(&self, l: &Line) -> Option<String> {
        let mut out = String::new();
        self.push_resource_id(l, &mut out);
        Some(out).filter(|s| !s.is_empty())
    }

    /// Whether the line is an AWS charge of one log group (a resource with an ARN), not
    /// Datadog's or an account's.
    fn is_log_group_charge(&self, l: &Line) -> bool {
        self.group(l).is_some() && service(l.component).2 != "Datadog Log Management"
    }

    /// The log group's ARN for an AWS line of a group (nothing for Datadog's or an account's).
    fn push_resource_id(&self, l: &Line, out: &mut String) {
        if !self.is_log_group_charge(l) {
            return;
        }
        let Some(g) = self.group(l) else { return };
        for part in [
            "arn:aws:logs:",
            &g.region,
            ":",
            &g.account_id,
            ":log-group:",
            &g.log_group,
        ] {
            out.push_str(part);
        }
    }

    fn tags_json(&self, l: &Line) -> Cow<'static, str> {
        if self.tags.is_empty() {
            return "{}".into();
        }
        let Some(g) = self.group(l) else {
            return "{}".into();
        };
        let key = (g.account_id.clone(), g.region.clone(), g.log_group.clone());
        match self.tags.get(&key) {
            Some(t) => serde_json::to_string(t).map_or("{}".into(), Into::into),
            None => "{}".into(),
        }
    }
}

fn is_credit(c: Component) -> bool {
    use Component::*;
    matches!(
        c,
        FreeTierIngest
            | FreeTierStorage
            | FreeTierScan
            | FreeTierEgress
            | FreeTierLambdaRequests
            | FreeTierLambdaDuration
    )
}

/// `focus.csv`, one line per charge.
pub fn write_csv(ctx: &Context<'_>, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = crate::csv_line::LineWriter::new(out);
    w.cells(COLUMNS.iter().copied());
    w.end()?;
    let (start, end) = ctx.period.clone().unwrap_or_default();
    // Millions of lines: each number is written into a buffer kept from line to line, each
    // distinct unit price once, and the runs of cells that depend only on the charge's kind
    // (account, region, component, path, scenario, price) are encoded once per kind.
    let mut prices: FxHashMap<Decimal, String> = FxHashMap::default();
    let mut kinds: FxHashMap<Kind, Runs> = FxHashMap::default();
    let (mut cost, mut qty, mut resource) = (String::new(), String::new(), String::new());
    for ch in ctx.charges() {
        let l = ch.line;
        cost.clear();
        l.cost.push_decimal(6, &mut cost);
        qty.clear();
        crate::format::push_plain(&mut qty, l.quantity, 12);
        let price = prices.entry(l.unit_price).or_insert_with(|| {
            let mut p = String::new();
            crate::format::push_plain(&mut p, l.unit_price, 12);
            p
        });
        let runs = kinds
            .entry(Kind::of(&ch))
            .or_insert_with(|| Runs::new(ctx, &ch, &start, &end));
        resource.clear();
        ctx.push_resource_id(l, &mut resource);
        let name = ctx.group(l).map_or("", |g| g.log_group.as_str());
        let tags = ctx.tags_json(l);
        w.cell("");
        w.number(&cost);
        w.encoded(&runs.account_to_period);
        w.number(&qty);
        w.encoded(&runs.unit);
        w.number(&cost);
        w.number(price);
        w.number(&cost);
        w.encoded(&runs.issuer);
        w.number(&cost);
        w.number(price);
        w.encoded(&runs.standard_usd);
        w.number(price);
        w.number(&cost);
        w.number(price);
        w.number(&qty);
        w.encoded(&runs.unit_to_zone);
        w.cells([&resource, name]);
        w.cell(if resource.is_empty() { "" } else { "Log Group" });
        w.encoded(&runs.service_to_account);
        w.cell(&tags);
        w.encoded(&runs.scenario_to_status);
        w.end()?;
    }
    w.finish().map(drop)
}

/// What a charge's repeated cells depend on: its account, region, component, path, scenario,
/// price id, unit and price status.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Kind {
    account: u32,
    region: u32,
    component: Component,
    path: Path,
    texts: [&'static str; 4],
}

impl Kind {
    fn of(ch: &Charge<'_>) -> Kind {
        let l = ch.line;
        Kind {
            account: l.account,
            region: l.region,
            component: l.component,
            path: l.path,
            texts: [ch.scenario, l.price_id, l.unit, l.price_status.as_str()],
        }
    }
}

/// The runs of cells of one [`Kind`], in `COLUMNS` order between the per-line cells.
struct Runs {
    /// BillingAccountId .. ChargePeriodStart and the empty cells up to ConsumedQuantity.
    account_to_period: Encoded,
    /// ConsumedUnit.
    unit: Encoded,
    /// (an empty cell), InvoiceIssuerName.
    issuer: Encoded,
    /// PricingCategory, PricingCurrency.
    standard_usd: Encoded,
    /// PricingUnit .. the empty cell before ResourceId.
    unit_to_zone: Encoded,
    /// ServiceCategory .. SubAccountType.
    service_to_account: Encoded,
    /// x_logplan_scenario .. x_logplan_price_status.
    scenario_to_status: Encoded,
}

impl Runs {
    fn new(ctx: &Context<'_>, ch: &Charge<'_>, start: &str, end: &str) -> Runs {
        let l = ch.line;
        let (provider, issuer, service_name, category, subcategory) = service(l.component);
        let account = ctx.account(l);
        let charge_category = if is_credit(l.component) {
            "Credit"
        } else {
            "Usage"
        };
        let description = description(ch);
        Runs {
            account_to_period: Encoded::new([
                account,
                "",
                "Account",
                "USD",
                end,
                start,
                "",
                "",
                charge_category,
                "",
                &description,
                "Usage-Based",
                end,
                start,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]),
            unit: Encoded::new([l.unit]),
            issuer: Encoded::new(["", issuer]),
            standard_usd: Encoded::new(["Standard", "USD"]),
            unit_to_zone: Encoded::new([l.unit, provider, provider, ctx.region(l), ""]),
            service_to_account: Encoded::new([
                category,
                service_name,
                subcategory,
                l.price_id,
                l.component.name(),
                "",
                l.price_id,
                account,
                "",
                "Account",
            ]),
            scenario_to_status: Encoded::new([
                ch.scenario,
                l.path.as_str(),
                l.price_id,
                l.price_status.as_str(),
            ]),
        }
    }
}

/// A charge's `ChargeDescription`.
fn description(ch: &Charge<'_>) -> String {
    format!(
        "{} on {} ({}, modeled by logplan)",
        ch.line.component.name(),
        ch.line.path.as_str(),
        ch.scenario
    )
}

/// Rows per Parquet row group: small enough that a row group of 61 columns, with its
/// dictionaries, stays a few MiB while the other report files are written beside it.
const BATCH: usize = 16_384;

fn decimal_column(name: &str, values: Vec<Option<i128>>, scale: usize) -> PolarsResult<Column> {
    let ca: Int128Chunked = values.into_iter().collect();
    Ok(ca
        .with_name(name.into())
        .into_decimal(38, scale)?
        .into_series()
        .into())
}

/// `d` rounded half to even at `scale` decimals, as a mantissa at exactly that scale (what
/// `round_dp` then `rescale` give, in integer arithmetic while the mantissa fits 96 bits).
fn scaled(d: Decimal, scale: u32) -> Option<i128> {
    let (m, s) = crate::format::round_mantissa(d, scale);
    let m = m.checked_mul(10i128.pow(scale - s));
    match m {
        Some(m) if m.unsigned_abs() < 1u128 << 96 => Some(m),
        _ => {
            let mut r = d.round_dp(scale);
            r.rescale(scale);
            Some(r.mantissa())
        }
    }
}

fn batch_frame<'a>(ctx: &'a Context<'a>, batch: &[Charge<'a>]) -> PolarsResult<DataFrame> {
    let n = batch.len();
    let (start, end) = ctx.period.clone().unwrap_or_default();
    // Cells borrowed from the model where they can be: no string is allocated per cell.
    let text = |name: &str, f: &dyn Fn(&Charge<'a>) -> Cow<'a, str>| -> Column {
        let ca: StringChunked = batch
            .iter()
            .map(|c| Some(f(c)).filter(|s| !s.is_empty()))
            .collect::<Vec<_>>()
            .iter()
            .map(|v| v.as_deref())
            .collect();
        ca.with_name(name.into()).into_column()
    };
    let constant = |name: &str, v: &str| -> Column {
        if v.is_empty() {
            Column::full_null(name.into(), n, &DataType::String)
        } else {
            Column::new_scalar(name.into(), Scalar::from(PlSmallStr::from(v)), n)
        }
    };
    // Each exact column once per batch; the columns that repeat it are renamed copies.
    let costs = decimal_column(
        "cost",
        batch.iter().map(|c| Some(c.line.cost.0 as i128)).collect(),
        6,
    )?;
    let prices = decimal_column(
        "price",
        batch
            .iter()
            .map(|c| scaled(c.line.unit_price, 12))
            .collect(),
        12,
    )?;
    let quantities = decimal_column(
        "quantity",
        batch.iter().map(|c| scaled(c.line.quantity, 12)).collect(),
        12,
    )?;
    let named =
        |c: &Column, name: &str| -> PolarsResult<Column> { Ok(c.clone().with_name(name.into())) };
    let cost = |name: &str| named(&costs, name);
    let price = |name: &str| named(&prices, name);
    let qty = |name: &str| named(&quantities, name);
    let null = |name: &str| Column::full_null(name.into(), n, &DataType::String);
    let null_dec = |name: &str| Column::full_null(name.into(), n, &DataType::Decimal(38, 12));
    // Text columns that FOCUS repeats under several names are built once, then renamed.
    let mut repeated: FxHashMap<&str, Column> = FxHashMap::default();
    let mut once = |c: &str, key: &'static str, build: &dyn Fn(&str) -> Column| -> Column {
        repeated
            .entry(key)
            .or_insert_with(|| build(c))
            .clone()
            .with_name(c.into())
    };
    let mut cols: Vec<Column> = Vec::with_capacity(COLUMNS.len());
    for &c in COLUMNS {
        let col = match c {
            "BilledCost"
            | "ContractedCost"
            | "EffectiveCost"
            | "ListCost"
            | "PricingCurrencyEffectiveCost" => cost(c)?,
            "ContractedUnitPrice"
            | "ListUnitPrice"
            | "PricingCurrencyContractedUnitPrice"
            | "PricingCurrencyListUnitPrice" => price(c)?,
            "ConsumedQuantity" | "PricingQuantity" => qty(c)?,
            "CommitmentDiscountQuantity" => null_dec(c),
            "BillingAccountId" | "SubAccountId" => once(c, "account", &|c| {
                text(c, &|ch| ctx.account(ch.line).into())
            }),
            "BillingAccountType" | "SubAccountType" => constant(c, "Account"),
            "BillingCurrency" | "PricingCurrency" => constant(c, "USD"),
            "BillingPeriodEnd" | "ChargePeriodEnd" => constant(c, &end),
            "BillingPeriodStart" | "ChargePeriodStart" => constant(c, &start),
            "ChargeCategory" => text(c, &|ch| {
                if is_credit(ch.line.component) {
                    "Credit".into()
                } else {
                    "Usage".into()
                }
            }),
            "ChargeDescription" => text(c, &|ch| description(ch).into()),
            "ChargeFrequency" => constant(c, "Usage-Based"),
            "ConsumedUnit" | "PricingUnit" => {
                once(c, "unit", &|c| text(c, &|ch| ch.line.unit.into()))
            }
            "InvoiceIssuerName" => text(c, &|ch| service(ch.line.component).1.into()),
            "PricingCategory" => constant(c, "Standard"),
            "ProviderName" | "PublisherName" => once(c, "provider", &|c| {
                text(c, &|ch| service(ch.line.component).0.into())
            }),
            "RegionId" => text(c, &|ch| ctx.region(ch.line).into()),
            "ResourceId" => text(c, &|ch| ctx.resource_id(ch.line).unwrap_or_default().into()),
            "ResourceName" => text(c, &|ch| {
                ctx.group(ch.line)
                    .map_or("".into(), |g| g.log_group.as_str().into())
            }),
            "ResourceType" => text(c, &|ch| {
                if ctx.is_log_group_charge(ch.line) {
                    "Log Group".into()
                } else {
                    "".into()
                }
            }),
            "ServiceCategory" => text(c, &|ch| service(ch.line.component).3.into()),
            "ServiceName" => text(c, &|ch| service(ch.line.component).2.into()),
            "ServiceSubcategory" => text(c, &|ch| service(ch.line.component).4.into()),
            "SkuId" | "SkuPriceId" | "x_logplan_price_id" => {
                once(c, "price_id", &|c| text(c, &|ch| ch.line.price_id.into()))
            }
            "SkuMeter" => text(c, &|ch| ch.line.component.name().into()),
            "Tags" => text(c, &|ch| ctx.tags_json(ch.line)),
            "x_logplan_scenario" => text(c, &|ch| ch.scenario.into()),
            "x_logplan_path" => text(c, &|ch| ch.line.path.as_str().into()),
            "x_logplan_price_status" => text(c, &|ch| ch.line.price_status.as_str().into()),
            _ => null(c),
        };
        cols.push(col);
    }
    DataFrame::new(n, cols)
}

/// `focus.parquet`, the same rows as the CSV, written in row groups of [`BATCH`].
pub fn write_parquet(ctx: &Context<'_>, path: &FsPath) -> Result<()> {
    crate::atomic::PolarsOut::write_file(path, path, |out| write_row_groups(ctx, out)).map(drop)
}

fn write_row_groups(ctx: &Context<'_>, out: &mut crate::atomic::PolarsOut) -> PolarsResult<()> {
    let mut charges = ctx.charges().peekable();
    let mut writer: Option<polars::io::parquet::write::BatchedWriter<_>> = None;
    let mut file = Some(out);
    loop {
        let batch: Vec<Charge<'_>> = charges.by_ref().take(BATCH).collect();
        if batch.is_empty() && writer.is_some() {
            break;
        }
        let df = batch_frame(ctx, &batch)?;
        if writer.is_none() {
            let f = file.take().expect("the file is opened once");
            writer = Some(ParquetWriter::new(f).batched(df.schema())?);
        }
        if let Some(w) = writer.as_mut() {
            w.write_batch(&df)?;
        }
        if charges.peek().is_none() {
            break;
        }
    }
    if let Some(w) = writer {
        w.finish()?;
    }
    Ok(())
}

/// The sum of a scenario's charges (for checks: today's equals the report's today).
pub fn total(ctx: &Context<'_>, scenario: &str) -> MicroUsd {
    ctx.charges()
        .filter(|c| c.scenario == scenario)
        .map(|c| c.line.cost)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk while focus.parquet is written is one output error naming the file.
    /// /dev/full fails every write with ENOSPC.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_names_focus_parquet() {
        let group = crate::snapshot::GroupInput {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            log_group: "/app/api".into(),
            incoming_bytes: 5 << 30,
            incoming_events: 1_000_000,
            ..crate::snapshot::GroupInput::default()
        };
        let book = crate::pricing::PriceBook::builtin().unwrap();
        let model = crate::model::run(vec![group], &book, &crate::model::Scenario::default(), None)
            .unwrap();
        let tags = BTreeMap::new();
        let ctx = Context {
            model: &model,
            period: None,
            comparison: Path::Cloudwatch,
            tags: &tags,
        };
        let full = FsPath::new("/dev/full");
        crate::atomic::assert_full_disk(write_parquet(&ctx, full), full);
    }

    proptest::proptest! {
        /// The Parquet cells' integer path gives what rust_decimal's `round_dp` then `rescale`
        /// give.
        #[test]
        fn scaled_is_round_dp_then_rescale(
            d in crate::format::any_decimal(),
            target in 0u32..=14,
        ) {
            let mut r = d.round_dp(target);
            r.rescale(target);
            proptest::prop_assert_eq!(scaled(d, target), Some(r.mantissa()));
        }
    }
}
