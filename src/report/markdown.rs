//! `summary.md`: the page a finance reader opens first. Totals per path and today, what the best
//! switch saves, the top groups, break-even in plain words, assumptions, and which prices are
//! unconfirmed or overridden.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::data::ReportData;
use crate::money::MicroUsd;

const GIB: f64 = 1_073_741_824.0;

/// Markdown table cell: pipes and newlines would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn signed(m: MicroUsd) -> String {
    if m.0 > 0 {
        format!("+{m}")
    } else {
        format!("{m}")
    }
}

pub fn render(d: &ReportData) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "# Log cost report — {}\n", d.month);
    let _ = writeln!(
        o,
        "Accounts: {}. Regions: {}. {}Prices: logplan's price book effective {}. {}.\n",
        d.accounts.join(", "),
        d.regions.join(", "),
        match (&d.period_start, &d.period_end_exclusive) {
            (Some(s), Some(e)) => format!("Period: {s} to {e} (exclusive). "),
            _ => String::new(),
        },
        d.price_book_effective,
        d.generated_by
    );

    let _ = writeln!(o, "## Monthly cost per path\n");
    let _ = writeln!(o, "| Path | Monthly cost | vs today |\n|---|---:|---:|");
    let _ = writeln!(
        o,
        "| **Today** (each group on its current path) | **{}** | |",
        d.today_total_usd
    );
    for p in &d.paths {
        match p.total_usd {
            Some(t) => {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} |",
                    p.title,
                    t,
                    signed(t - d.today_total_usd)
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "| {} | n/a | {} |",
                    p.title,
                    cell(p.reason.as_deref().unwrap_or(""))
                );
            }
        }
    }
    let best_title = d.best_path.title();
    let _ = writeln!(o);
    if d.best_path_savings_usd.0 > 0 {
        let _ = writeln!(
            o,
            "**Best switch:** moving everything to *{best_title}* costs {} a month, saving **{}** a month against today ({} a year).",
            d.best_path_total_usd,
            d.best_path_savings_usd,
            MicroUsd(d.best_path_savings_usd.0 * 12)
        );
    } else {
        let _ = writeln!(
            o,
            "**Best switch:** no single path is cheaper than today; the cheapest is *{best_title}* at {}.",
            d.best_path_total_usd
        );
    }
    let _ = writeln!(
        o,
        "Putting each group on its own cheapest path costs {} a month ({} against today).\n",
        d.best_mix_total_usd,
        signed(MicroUsd(-d.best_mix_savings_usd.0))
    );

    let _ = writeln!(o, "### What each path is made of\n");
    for p in d.paths.iter().filter(|p| p.total_usd.is_some()) {
        let parts: Vec<String> = p
            .components
            .iter()
            .map(|(c, m)| format!("{c} {m}"))
            .collect();
        let _ = writeln!(
            o,
            "- **{}** = {} = {}",
            p.title,
            parts.join(" + "),
            p.total_usd.unwrap_or_default()
        );
    }
    let _ = writeln!(o);

    reconciliation(&mut o, d);

    if let Some(prev) = &d.previous {
        let _ = writeln!(o, "## Month over month (vs {})\n", prev.month);
        let _ = writeln!(
            o,
            "| | {} | {} | change |\n|---|---:|---:|---:|",
            prev.month, d.month
        );
        let parse = |s: &str| {
            s.parse::<Decimal>().ok().map(|v| {
                MicroUsd(
                    (v * Decimal::from(1_000_000))
                        .round()
                        .try_into()
                        .unwrap_or(0),
                )
            })
        };
        if let Some(then) = parse(&prev.today_total_usd) {
            let _ = writeln!(
                o,
                "| Today | {then} | {} | {} |",
                d.today_total_usd,
                signed(d.today_total_usd - then)
            );
        }
        for p in &d.paths {
            if let (Some(now), Some(then)) = (
                p.total_usd,
                prev.path_totals.get(p.path.as_str()).and_then(|s| parse(s)),
            ) {
                let _ = writeln!(
                    o,
                    "| {} | {then} | {now} | {} |",
                    p.title,
                    signed(now - then)
                );
            }
        }
        let _ = writeln!(o);
    }

    if d.account_totals.len() > 1 {
        let _ = writeln!(o, "## Per account\n");
        let mut head = String::from("| Account | Groups | Today |");
        let mut rule = String::from("|---|---:|---:|");
        for p in &d.paths {
            head += &format!(" {} |", p.title);
            rule += "---:|";
        }
        let _ = writeln!(o, "{head}\n{rule}");
        for a in &d.account_totals {
            let cells: Vec<String> = a
                .path_usd
                .iter()
                .map(|t| t.map_or("n/a".to_string(), |m| m.to_string()))
                .collect();
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} |",
                a.account_id,
                a.log_groups,
                a.today_usd,
                cells.join(" | ")
            );
        }
        let _ = writeln!(o);
    }

    let _ = writeln!(o, "## Top 10 log groups by savings\n");
    let mut by_savings: Vec<_> = d.groups.iter().collect();
    by_savings.sort_by(|a, b| {
        b.savings_usd
            .cmp(&a.savings_usd)
            .then(a.log_group.cmp(&b.log_group))
    });
    let _ = writeln!(
        o,
        "| Log group | Region | GiB/month | Today | Best path | Best | Saves |\n|---|---|---:|---|---|---:|---:|"
    );
    for g in by_savings.iter().take(10) {
        let _ = writeln!(
            o,
            "| `{}` | {} | {:.1} | {} {} | {} | {} | {} |",
            cell(&g.log_group),
            g.region,
            g.incoming_bytes as f64 / GIB,
            g.today_path.title(),
            g.today_usd,
            g.best_path.title(),
            g.best_usd,
            g.savings_usd
        );
    }
    let _ = writeln!(o);

    let _ = writeln!(o, "## Break-even, in plain words\n");
    let _ = writeln!(
        o,
        "Datadog charges nothing per query; CloudWatch Logs Insights charges per GiB scanned. For each group, the scan volume below is where staying in CloudWatch costs the same as its cheapest Datadog path: scan less and CloudWatch is cheaper, scan more and Datadog is.\n"
    );
    let mut by_cost: Vec<_> = d.groups.iter().collect();
    by_cost.sort_by(|a, b| {
        b.today_usd
            .cmp(&a.today_usd)
            .then(a.log_group.cmp(&b.log_group))
    });
    for g in by_cost.iter().take(10) {
        match (g.breakeven_scan_gib, g.breakeven_full_scans) {
            (Some(gib), _) if gib.is_zero() => {
                let _ = writeln!(
                    o,
                    "- `{}`: Datadog is cheaper even if nobody ever queries it in CloudWatch.",
                    cell(&g.log_group)
                );
            }
            (Some(gib), Some(full)) => {
                let _ = writeln!(
                    o,
                    "- `{}`: CloudWatch stays cheaper up to {} GiB scanned a month, about {} full scans of its month of data (assumed now: {} GiB, from {}).",
                    cell(&g.log_group),
                    gib.round_dp(1),
                    full.round_dp(1),
                    g.scan_gib.round_dp(1),
                    g.scan_source
                );
            }
            (Some(gib), None) => {
                let _ = writeln!(
                    o,
                    "- `{}`: CloudWatch stays cheaper up to {} GiB scanned a month.",
                    cell(&g.log_group),
                    gib.round_dp(1)
                );
            }
            (None, _) => {
                let _ = writeln!(
                    o,
                    "- `{}`: no Datadog path is available to compare.",
                    cell(&g.log_group)
                );
            }
        }
    }
    let _ = writeln!(o);

    let _ = writeln!(
        o,
        "## Assumptions\n\n| Assumption | Value | Note |\n|---|---|---|"
    );
    for a in &d.assumptions {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            cell(&a.name),
            cell(&a.value),
            cell(&a.note)
        );
    }
    let _ = writeln!(o);

    let caveats = d.caveat_prices();
    let _ = writeln!(o, "## Prices to double-check\n");
    if caveats.is_empty() {
        let _ = writeln!(
            o,
            "Every price used is confirmed or derived from the vendor's price list.\n"
        );
    } else {
        let _ = writeln!(
            o,
            "{} of the {} prices used are unconfirmed (a third-party claim or a rule, not a published figure) or were changed in logplan.toml. The totals above rest on them:\n",
            caveats.len(),
            d.prices.len()
        );
        let _ = writeln!(
            o,
            "| Price | Region | Value | Status | Source |\n|---|---|---|---|---|"
        );
        for p in caveats {
            let values: Vec<String> = p.prices.iter().map(|v| v.normalize().to_string()).collect();
            let status = match &p.book_prices {
                Some(b) if p.status != crate::pricing::Status::Override => {
                    let b: Vec<String> = b.iter().map(|v| v.normalize().to_string()).collect();
                    format!("{} (book: {}, discounted)", p.status, b.join("/"))
                }
                _ => p.status.to_string(),
            };
            // Allowances (free tiers) are quantities, not prices.
            let value = if p.id.contains("free") {
                format!("{} {} free", values.join(" / "), p.unit)
            } else {
                format!("${} per {}", values.join(" / "), p.unit)
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                p.id,
                p.region,
                value,
                status,
                cell(&p.source)
            );
        }
        let _ = writeln!(o);
    }
    if let Some(api) = &d.api {
        let calls: u64 = api.calls.values().sum();
        let _ = writeln!(
            o,
            "## API use\n\nThis run made {calls} AWS API calls ({} GetMetricData metrics requested), costing {:.4}.\n",
            api.metrics_requested, api.cost_usd
        );
    }
    let _ = writeln!(
        o,
        "Files: `report.html` (charts), `log_groups.csv` and `log_groups.parquet` (one row per group), `components.csv` (every cost line: quantity x unit price = cost; totals are their sums), `report.json`{}.",
        if super::tables::reconciliation_csv(d).is_some() {
            ", `reconciliation.csv` (modeled vs billed per component)"
        } else {
            ""
        }
    );
    o
}

fn pct(p: Option<Decimal>) -> String {
    match p {
        Some(p) => {
            let r =
                p.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            if r.is_sign_positive() && !r.is_zero() {
                format!("+{r:.1}%")
            } else {
                format!("{r:.1}%")
            }
        }
        None => "n/a".into(),
    }
}

fn qty(q: Decimal, unit: &str) -> String {
    format!("{} {unit}", q.round_dp(3).normalize())
}

fn opt_usd(m: Option<MicroUsd>, signed_: bool) -> String {
    match m {
        Some(m) if signed_ => signed(m),
        Some(m) => m.to_string(),
        None => "—".into(),
    }
}

fn variance_table(
    o: &mut String,
    rows: &[crate::reconcile::ComponentVariance],
    total: Option<&crate::reconcile::TotalVariance>,
    billed_label: &str,
) {
    let _ = writeln!(
        o,
        "| Component | Modeled | {billed_label} | Variance | % | Flag | Quantity modeled | Quantity billed | Sampled (IncomingBytes) | Volume effect | Price effect |\n|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|"
    );
    for c in rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.component,
            c.modeled_usd,
            opt_usd(c.billed_usd, false),
            opt_usd(c.variance_usd, true),
            if c.billed_usd.is_some() {
                pct(c.variance_pct)
            } else {
                "—".into()
            },
            if c.flagged { "⚠" } else { "" },
            qty(c.modeled_quantity, &c.unit),
            c.billed_quantity
                .map(|q| qty(q, &c.unit))
                .unwrap_or_else(|| cell(&c.basis)),
            c.sampled_gib.map(|q| qty(q, "GiB")).unwrap_or_default(),
            opt_usd(c.volume_effect_usd, true),
            opt_usd(c.price_effect_usd, true),
        );
    }
    if let Some(t) = total {
        let _ = writeln!(
            o,
            "| **Total** | **{}** | **{}** | **{}** | **{}** | {} | | | | {} | {} |",
            t.modeled_usd,
            t.billed_usd,
            signed(t.variance_usd),
            pct(t.variance_pct),
            if t.flagged { "⚠" } else { "" },
            signed(t.volume_effect_usd),
            signed(t.price_effect_usd),
        );
    }
    let _ = writeln!(o);
}

/// The model's today against the bill, when the run reconciled.
fn reconciliation(o: &mut String, d: &ReportData) {
    let Some(r) = &d.actuals else { return };
    let _ = writeln!(o, "## Reconciliation with the bill ({})\n", r.month);
    if let Some(a) = &r.aws {
        let line = crate::reconcile::actuals::requests_line(
            a.requests,
            a.from_cache,
            a.cache_file.as_deref().unwrap_or("actuals.json"),
            a.fetched_at.as_deref().unwrap_or("-"),
        );
        match a.status.as_str() {
            "reconciled" => {
                let _ = writeln!(
                    o,
                    "Today's model (each group on its current path, free-tier credits included) against Cost Explorer's UnblendedCost for the month. Variance = billed − modeled, as a percentage of the modeled cost; ⚠ marks more than {}%. The volume effect is the quantity difference at the model's effective rate, the price effect the rest: together they are the variance.\n",
                    r.threshold_percent
                );
                variance_table(o, &a.components, a.total.as_ref(), "Billed");
                if !a.unmapped.is_empty() {
                    let _ = writeln!(
                        o,
                        "Billed usage types that map to no component ({} in all; not in the totals above):\n\n| Usage type | Region | Quantity | Billed | What it is |\n|---|---|---:|---:|---|",
                        a.unmapped_total_usd
                    );
                    for u in &a.unmapped {
                        let _ = writeln!(
                            o,
                            "| `{}`{} | {} | {} | {} | {} |",
                            cell(&u.usage_type),
                            u.account_id
                                .as_deref()
                                .map(|a| format!(" ({a})"))
                                .unwrap_or_default(),
                            u.region,
                            cell(&qty(u.quantity, &u.unit)),
                            u.billed_usd,
                            cell(&u.note)
                        );
                    }
                    let _ = writeln!(o);
                }
                for n in &a.notes {
                    let _ = writeln!(o, "- {}", cell(n));
                }
                if !a.notes.is_empty() {
                    let _ = writeln!(o);
                }
            }
            "no_data" => {
                let _ = writeln!(
                    o,
                    "**No Cost Explorer data for {}:** {}\n",
                    r.month,
                    cell(a.reason.as_deref().unwrap_or(""))
                );
            }
            _ => {
                let _ = writeln!(
                    o,
                    "**Actuals not included:** {}. The rest of the report does not depend on them.\n",
                    cell(
                        a.reason
                            .as_deref()
                            .unwrap_or("Cost Explorer could not be asked")
                    )
                );
            }
        }
        if a.status != "unavailable" || a.requests > 0 {
            let _ = writeln!(o, "{line}.\n");
        }
    }
    if let Some(dd) = &r.datadog {
        let _ = writeln!(
            o,
            "### Datadog usage against the model\n\nDatadog's estimated usage from `{}`, priced with the model's Datadog prices, against today's Datadog components.\n",
            cell(&dd.file)
        );
        variance_table(o, &dd.components, dd.total.as_ref(), "From usage");
        for n in &dd.notes {
            let _ = writeln!(o, "- {}", cell(n));
        }
        if !dd.notes.is_empty() {
            let _ = writeln!(o);
        }
    }
}
