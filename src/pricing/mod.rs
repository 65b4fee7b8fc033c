//! pricing: the versioned price book. Built in as data (`book.toml`, embedded at compile time),
//! every figure with its unit, region, status and source; any figure can be overridden from
//! `logplan.toml` (negotiated rates), and an AWS discount applied. A figure the book does not know
//! for a region is an error naming the figure and the region: never a silent fallback.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The book, in three files by subject (CloudWatch Logs; transfer and forwarding; Datadog) read
/// as one TOML document.
const BOOK: &str = concat!(
    include_str!("book.toml"),
    "\n",
    include_str!("book_transfer.toml"),
    "\n",
    include_str!("book_datadog.toml")
);

/// How far a figure can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The vendor's own page or repository.
    Confirmed,
    /// A copy of the vendor's price list made by someone else.
    Derived,
    /// A third-party claim only.
    Unconfirmed,
    /// Set in the user's logplan.toml.
    Override,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::Derived => "derived",
            Status::Unconfirmed => "unconfirmed",
            Status::Override => "override",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decimal written as a string in TOML ("0.50"), so no binary float ever holds a price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            F(f64),
        }
        let text = match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            // Rust prints the shortest text that reads back as the same float: "0.08", not
            // 0.0800000000000000016653...; that text is the decimal the user wrote.
            Raw::F(f) => f.to_string(),
        };
        Decimal::from_str(text.trim())
            .map(Dec)
            .map_err(|e| serde::de::Error::custom(format!("{text:?} is not a decimal number: {e}")))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    effective: NaiveDate,
    price: Vec<RawEntry>,
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A billing rule that changed at a date (which logs are vended, which allowance applies): the
/// model applies it to a month on or after `effective_from`, and the report lists it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub description: String,
    pub effective_from: NaiveDate,
    pub status: Status,
    pub source: String,
}

impl Rule {
    /// Is the rule in force for a month starting on `month_start`?
    pub fn in_force(&self, month_start: NaiveDate) -> bool {
        month_start >= self.effective_from
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    description: String,
    unit: String,
    usage_type: Option<String>,
    #[serde(default)]
    tier_widths: Vec<Dec>,
    regions: BTreeMap<String, RawRegion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    usd: Option<Dec>,
    tiers: Option<Vec<Dec>>,
    status: Status,
    source: String,
    /// The first day the source shows the figure in force (a price list's effective date, or
    /// the date a copy was read); absent where the source gives no date.
    effective_from: Option<NaiveDate>,
}

/// One figure in one region (or `*`), as in force.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    pub id: String,
    pub region: String,
    pub description: String,
    pub unit: String,
    pub usage_type: Option<String>,
    /// Widths of all tiers but the last (which is unbounded), in `unit`; empty for a flat price.
    pub tier_widths: Vec<Decimal>,
    /// One price per tier (one for a flat price), USD per `unit`.
    pub prices: Vec<Decimal>,
    pub status: Status,
    pub source: String,
    /// The first day the source shows the figure in force; `None` where it gives no date.
    pub effective_from: Option<NaiveDate>,
    /// The book's figure before an override or discount changed it.
    pub book_prices: Option<Vec<Decimal>>,
    /// An AWS discount percentage applied to this figure.
    pub discount_percent: Option<Decimal>,
}

impl Figure {
    /// The flat price (the first tier's for a tiered figure).
    pub fn flat(&self) -> Decimal {
        self.prices[0]
    }

    pub fn is_tiered(&self) -> bool {
        !self.tier_widths.is_empty()
    }

    /// Exact cost of `quantity` units on this figure's tiers (a flat price is one tier).
    pub fn tiered_cost(&self, quantity: Decimal) -> Decimal {
        let mut left = quantity.max(Decimal::ZERO);
        let mut cost = Decimal::ZERO;
        for (i, price) in self.prices.iter().enumerate() {
            let take = match self.tier_widths.get(i) {
                Some(w) => left.min(*w),
                None => left,
            };
            cost += take * price;
            left -= take;
            if left.is_zero() {
                break;
            }
        }
        cost
    }

    pub fn is_overridden(&self) -> bool {
        self.status == Status::Override
    }

    /// Is this an AWS figure (discounts apply), as opposed to Datadog's or an allowance?
    fn is_aws_price(&self) -> bool {
        !self.id.starts_with("datadog.")
            && !self.id.ends_with("free_tier")
            && !self.id.contains(".free_")
    }
}

/// User price settings from logplan.toml `[prices]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverrides {
    /// Percent off every AWS list price (an EDP or private pricing discount), 0-100.
    pub aws_discount_percent: Option<Dec>,
    /// Any figure, by id (`datadog.ingest`) or id@region (`cwl.ingest.standard@eu-west-1`): a
    /// number, or a list of numbers for a tiered figure.
    #[serde(default)]
    pub r#override: BTreeMap<String, OverrideValue>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OverrideValue {
    Flat(Dec),
    Tiers(Vec<Dec>),
}

/// The price book in force.
#[derive(Clone, Debug)]
pub struct PriceBook {
    pub effective: NaiveDate,
    figures: BTreeMap<(String, String), Figure>,
    rules: BTreeMap<String, Rule>,
}

impl PriceBook {
    /// The built-in book.
    pub fn builtin() -> Result<PriceBook> {
        PriceBook::parse(BOOK)
            .map_err(|e| Error::Internal(format!("the built-in price book is invalid: {e}")))
    }

    fn parse(text: &str) -> std::result::Result<PriceBook, String> {
        let raw: RawBook = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut figures = BTreeMap::new();
        for e in raw.price {
            for (region, r) in e.regions {
                let prices: Vec<Decimal> = match (&r.usd, &r.tiers) {
                    (Some(v), None) => vec![v.0],
                    (None, Some(t)) => t.iter().map(|d| d.0).collect(),
                    _ => {
                        return Err(format!(
                            "{} in {region}: give exactly one of usd or tiers",
                            e.id
                        ));
                    }
                };
                let widths: Vec<Decimal> = e.tier_widths.iter().map(|d| d.0).collect();
                let expected = if widths.is_empty() {
                    1
                } else {
                    widths.len() + 1
                };
                if prices.len() != expected {
                    return Err(format!(
                        "{} in {region}: {} prices for {expected} tiers",
                        e.id,
                        prices.len()
                    ));
                }
                if region != "*" && !crate::regions::is_known(&region) {
                    return Err(format!("{}: unknown region {region}", e.id));
                }
                let fig = Figure {
                    id: e.id.clone(),
                    region: region.clone(),
                    description: e.description.clone(),
                    unit: e.unit.clone(),
                    usage_type: e.usage_type.clone(),
                    tier_widths: widths,
                    prices,
                    status: r.status,
                    source: r.source.clone(),
                    effective_from: r.effective_from,
                    book_prices: None,
                    discount_percent: None,
                };
                if figures
                    .insert((e.id.clone(), region.clone()), fig)
                    .is_some()
                {
                    return Err(format!("{} in {region} is listed twice", e.id));
                }
            }
        }
        let rules = raw.rule.into_iter().map(|r| (r.id.clone(), r)).collect();
        Ok(PriceBook {
            effective: raw.effective,
            figures,
            rules,
        })
    }

    /// The built-in book with the overrides and discount of the settings file applied (errors
    /// name `config_path`, default `logplan.toml`).
    pub fn in_force(
        overrides: &PriceOverrides,
        config_path: Option<&std::path::Path>,
    ) -> Result<PriceBook> {
        let mut book = PriceBook::builtin()?;
        book.apply(
            overrides,
            config_path.unwrap_or(std::path::Path::new("logplan.toml")),
        )?;
        Ok(book)
    }

    /// Apply the user's overrides and discount. Errors name the key.
    pub fn apply(&mut self, o: &PriceOverrides, config: &std::path::Path) -> Result<()> {
        let cfg_err = |message: String| Error::Config {
            path: config.to_path_buf(),
            message,
        };
        for (key, value) in &o.r#override {
            let (id, region) = match key.split_once('@') {
                Some((id, r)) => (id, r),
                None => (key.as_str(), "*"),
            };
            if region != "*" {
                crate::regions::check(region)
                    .map_err(|e| cfg_err(format!("prices.override.\"{key}\": {e}")))?;
            }
            let template = self
                .figures
                .iter()
                .find(|((fid, _), _)| fid == id)
                .map(|(_, f)| f.clone())
                .ok_or_else(|| {
                    cfg_err(format!(
                        "prices.override.\"{key}\": no figure {id:?} in the price book (see `logplan prices`)"
                    ))
                })?;
            let prices: Vec<Decimal> = match value {
                OverrideValue::Flat(d) => vec![d.0],
                OverrideValue::Tiers(t) => t.iter().map(|d| d.0).collect(),
            };
            let expected = if template.tier_widths.is_empty() {
                1
            } else {
                template.tier_widths.len() + 1
            };
            if prices.len() != expected {
                return Err(cfg_err(format!(
                    "prices.override.\"{key}\": {id} has {expected} tier(s), got {} value(s)",
                    prices.len()
                )));
            }
            if prices.iter().any(|p| p.is_sign_negative()) {
                return Err(cfg_err(format!(
                    "prices.override.\"{key}\": prices cannot be negative"
                )));
            }
            // An id without a region overrides the figure in every region, listed or not.
            let targets: Vec<String> = if region == "*" {
                let mut r: Vec<String> = self
                    .figures
                    .keys()
                    .filter(|(fid, _)| fid == id)
                    .map(|(_, r)| r.clone())
                    .collect();
                if !r.iter().any(|x| x == "*") {
                    r.push("*".into());
                }
                r
            } else {
                vec![region.to_string()]
            };
            for r in targets {
                let fig = self
                    .figures
                    .entry((id.to_string(), r.clone()))
                    .or_insert_with(|| Figure {
                        region: r.clone(),
                        ..template.clone()
                    });
                fig.book_prices.get_or_insert_with(|| fig.prices.clone());
                fig.prices = prices.clone();
                fig.status = Status::Override;
                fig.source = format!("{} ({key})", config.display());
                fig.effective_from = None;
            }
        }
        if let Some(pct) = o.aws_discount_percent {
            let pct = pct.0;
            if pct.is_sign_negative() || pct > Decimal::from(100) {
                return Err(cfg_err(format!(
                    "prices.aws_discount_percent = {pct}: must be between 0 and 100"
                )));
            }
            let factor = (Decimal::from(100) - pct) / Decimal::from(100);
            for fig in self.figures.values_mut() {
                if fig.is_aws_price() && fig.status != Status::Override {
                    fig.book_prices.get_or_insert_with(|| fig.prices.clone());
                    fig.prices = fig.prices.iter().map(|p| p * factor).collect();
                    fig.discount_percent = Some(pct);
                }
            }
        }
        Ok(())
    }

    /// The figure `id` for `region`: the region's own, else a global (`*`) one. Unknown is an
    /// error naming both, with the way out.
    pub fn get(&self, id: &str, region: &str) -> Result<&Figure> {
        self.figures
            .get(&(id.to_string(), region.to_string()))
            .or_else(|| self.figures.get(&(id.to_string(), "*".to_string())))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "the price book has no {id} for {region}: set it in logplan.toml, e.g. \
                     [prices.override] \"{id}@{region}\" = <USD per unit>"
                ))
            })
    }

    /// The dated rule `id`; an unknown id is an internal error (rules are the book's own).
    pub fn rule(&self, id: &str) -> Result<&Rule> {
        self.rules
            .get(id)
            .ok_or_else(|| Error::Internal(format!("the price book has no rule {id}")))
    }

    /// Every figure, ordered by id then region (optionally one region plus the global ones).
    pub fn figures(&self, region: Option<&str>) -> Vec<&Figure> {
        self.figures
            .values()
            .filter(|f| region.is_none_or(|r| f.region == r || f.region == "*"))
            .collect()
    }

    /// Regions for which the book has at least one regional figure.
    pub fn regions(&self) -> Vec<String> {
        let mut r: Vec<String> = self
            .figures
            .keys()
            .map(|(_, r)| r.clone())
            .filter(|r| r != "*")
            .collect();
        r.sort();
        r.dedup();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn builtin_book_parses_and_carries_sources() {
        let book = PriceBook::builtin().unwrap();
        assert!(book.figures(None).len() > 20);
        for f in book.figures(None) {
            assert!(!f.source.is_empty(), "{} has no source", f.id);
            assert!(f.prices.iter().all(|p| !p.is_sign_negative()));
        }
        assert_eq!(
            book.get("cwl.ingest.standard", "us-east-1").unwrap().flat(),
            d("0.50")
        );
        // Global figures answer for any region.
        assert_eq!(
            book.get("datadog.ingest", "eu-west-1").unwrap().flat(),
            d("0.10")
        );
    }

    #[test]
    fn vended_tiers_reproduce_aws_example() {
        // 72 TB of VPC flow logs: 5,120 + 5,120 + 2,048 + 1,126.40 = 13,414.40.
        let book = PriceBook::builtin().unwrap();
        let f = book.get("cwl.vended.standard", "us-east-1").unwrap();
        assert_eq!(f.tiered_cost(d("73728")), d("13414.40"));
        assert_eq!(f.tiered_cost(d("10240")), d("5120"));
        assert_eq!(f.tiered_cost(d("10241")), d("5120.25"));
        assert_eq!(f.tiered_cost(d("0")), d("0"));
    }

    #[test]
    fn statuses_say_what_they_rest_on() {
        // PRICING.md's vocabulary: "derived" is a copy of the vendor's price list made by someone
        // else, so its source must say so; a rule must not pass for a published figure.
        let book = PriceBook::builtin().unwrap();
        for f in book.figures(None) {
            let src = f.source.to_lowercase();
            if f.status == Status::Derived {
                assert!(src.contains("third"), "{}@{}: {}", f.id, f.region, f.source);
            }
            if src.starts_with("rule, not a published figure") {
                assert_eq!(f.status, Status::Unconfirmed, "{}@{}", f.id, f.region);
            }
        }
        let starter = book
            .get("datadog.flex_starter.storage", "us-east-1")
            .unwrap();
        assert_eq!(starter.flat(), d("0.60"));
        assert_eq!(starter.effective_from, NaiveDate::from_ymd_opt(2026, 9, 20));
    }

    #[test]
    fn asia_pacific_egress_tiers() {
        // Tokyo, 20 TB (20,480 GiB): 10,240 x 0.114 = 1,167.36 + 10,240 x 0.089 = 911.36:
        // 2,078.72. Seoul, 60 TB: 10,240 x 0.126 = 1,290.24 + 40,960 x 0.122 = 4,997.12 +
        // 10,240 x 0.122 (tier 3 not found, tier 2 carried) = 1,249.28: 7,536.64.
        let book = PriceBook::builtin().unwrap();
        let tokyo = book.get("egress.internet", "ap-northeast-1").unwrap();
        assert_eq!(tokyo.tiered_cost(d("20480")), d("2078.72"));
        let seoul = book.get("egress.internet", "ap-northeast-2").unwrap();
        assert_eq!(seoul.tiered_cost(d("61440")), d("7536.64"));
        assert_eq!(seoul.status, Status::Unconfirmed);
        // eu-central-1 storage, no longer a gap.
        assert_eq!(
            book.get("cwl.storage", "eu-central-1").unwrap().flat(),
            d("0.0324")
        );
    }

    #[test]
    fn unknown_region_is_an_error_naming_both() {
        let book = PriceBook::builtin().unwrap();
        let e = book
            .get("cwl.ingest.standard", "af-south-1")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cwl.ingest.standard") && e.contains("af-south-1"),
            "{e}"
        );
    }

    #[test]
    fn overrides_and_discount() {
        let mut book = PriceBook::builtin().unwrap();
        let o: PriceOverrides = toml::from_str(
            "aws_discount_percent = 10\n[override]\n\"datadog.ingest\" = 0.08\n\"cwl.ingest.standard@af-south-1\" = \"0.678\"\n",
        )
        .unwrap();
        book.apply(&o, std::path::Path::new("logplan.toml"))
            .unwrap();
        let dd = book.get("datadog.ingest", "us-east-1").unwrap();
        assert_eq!(dd.flat(), d("0.08"));
        assert_eq!(dd.status, Status::Override);
        assert_eq!(
            book.get("cwl.ingest.standard", "af-south-1")
                .unwrap()
                .flat(),
            d("0.678")
        );
        // The discount applies to AWS list prices, not to overrides, Datadog or allowances.
        assert_eq!(
            book.get("cwl.ingest.standard", "us-east-1").unwrap().flat(),
            d("0.45")
        );
        assert_eq!(
            book.get("cwl.free_tier", "us-east-1").unwrap().flat(),
            d("5")
        );
        let bad: PriceOverrides = toml::from_str("[override]\n\"nope\" = 1\n").unwrap();
        let e = book
            .apply(&bad, std::path::Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no figure \"nope\""), "{e}");
        let tiers: PriceOverrides =
            toml::from_str("[override]\n\"cwl.vended.standard\" = 0.4\n").unwrap();
        let e = book
            .apply(&tiers, std::path::Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("4 tier(s)"), "{e}");
    }
}
