//! The Datadog side of the reconciliation: Datadog's usage (the estimated-usage file, or the
//! usage API's measured figures) priced with the model's Datadog prices, against the model's
//! Datadog components.

use super::*;

/// The on-demand premium in force (1 on an annual commitment) and Datadog's ingest price.
pub(super) fn datadog_prices(model: &Model, book: &PriceBook) -> Result<(Decimal, Decimal)> {
    let premium = match model.scenario.commitment {
        Commitment::Annual => Decimal::ONE,
        Commitment::OnDemand => book.get("datadog.on_demand_premium", "us-east-1")?.flat(),
    };
    Ok((premium, book.get("datadog.ingest", "us-east-1")?.flat()))
}

pub(super) fn datadog_side(
    model: &Model,
    book: &PriceBook,
    u: &DatadogUsage,
    threshold: Decimal,
) -> Result<DatadogReconciliation> {
    let s = &model.scenario;
    let (premium, ingest_price) = datadog_prices(model, book)?;
    let index_price = book.get(s.index_price_id(), "us-east-1")?.flat() * premium;
    let modeled = modeled(model);
    // Datadog's GB as the scenario takes it (10^9 by default), as the model priced it.
    let gib = Decimal::from(s.datadog_gb.bytes());
    let million = Decimal::from(1_000_000);
    let mut notes = Vec::new();
    let mut components = Vec::new();

    let ingest = u.ingested_bytes.map(|b| {
        let q = b / gib;
        (q, MicroUsd::from_usd(q * ingest_price), None)
    });
    components.push(component_row(
        Component::DatadogIngest,
        modeled.get(&Component::DatadogIngest),
        ingest,
        sampled_gib(model, Component::DatadogIngest),
        vec![datadog::INGESTED_BYTES.to_string()],
        match ingest {
            Some(_) => format!(
                "Datadog ingested bytes x the model's ${} per GB",
                ingest_price.normalize()
            ),
            None => format!("no {} datapoints in the file", datadog::INGESTED_BYTES),
        },
        threshold,
    ));

    let indexed = match (u.indexed_events, u.ingested_events) {
        (Some(i), _) => Some((
            i,
            "events not excluded (datadog_is_excluded:false)".to_string(),
        )),
        (None, Some(e)) => {
            notes.push(format!(
                "The file has no datadog_is_excluded column: indexed events are taken as the \
                 model's indexed_fraction ({}) of the ingested events.",
                s.indexed_fraction
            ));
            Some((
                e * s.indexed_fraction,
                format!("ingested events x indexed_fraction {}", s.indexed_fraction),
            ))
        }
        (None, None) => None,
    };
    let index = indexed.as_ref().map(|(events, _)| {
        let q = *events / million;
        (q, MicroUsd::from_usd(q * index_price), None)
    });
    components.push(component_row(
        Component::DatadogIndex,
        modeled.get(&Component::DatadogIndex),
        index,
        None,
        vec![datadog::INGESTED_EVENTS.to_string()],
        match &indexed {
            Some((_, how)) => format!(
                "{how} x the model's ${} per 1M events",
                index_price.normalize()
            ),
            None => format!("no {} datapoints in the file", datadog::INGESTED_EVENTS),
        },
        threshold,
    ));
    if u.rows_outside_period > 0 || u.rows_other_metrics > 0 || u.rows_empty > 0 {
        notes.push(format!(
            "{} datapoints used; skipped {} outside the month, {} of other metrics, {} empty.",
            u.rows_used, u.rows_outside_period, u.rows_other_metrics, u.rows_empty
        ));
    }
    if modeled
        .get(&Component::DatadogIngest)
        .is_none_or(|m| m.quantity.is_zero())
    {
        notes.push(
            "No log group is forwarded to Datadog today in the snapshot, so the model has no \
             Datadog cost to compare."
                .into(),
        );
    }
    let total = total_of(&components, threshold);
    Ok(DatadogReconciliation {
        file: u.path.display().to_string(),
        rows_used: u.rows_used,
        rows_outside_period: u.rows_outside_period,
        rows_other_metrics: u.rows_other_metrics,
        components,
        total: Some(total),
        notes,
    })
}

/// Datadog's side from its usage API: ingested bytes at the model's ingest price, indexed events
/// at the price of the retention each was indexed with (the on-demand premium included), Flex
/// stored events at the Flex price.
pub(super) fn datadog_side_measured(
    model: &Model,
    book: &PriceBook,
    m: &ddapi::Measured,
    threshold: Decimal,
) -> Result<DatadogReconciliation> {
    let s = &model.scenario;
    let (premium, ingest_price) = datadog_prices(model, book)?;
    let modeled = modeled(model);
    // Datadog's GB as the scenario takes it (10^9 by default), as the model priced it.
    let gib = Decimal::from(s.datadog_gb.bytes());
    let million = Decimal::from(1_000_000);
    let mut notes = m.notes.clone();
    let mut components = Vec::new();
    let u = &m.usage;

    let ingest = u.ingested_bytes.map(|b| {
        let q = Decimal::from(b) / gib;
        (q, MicroUsd::from_usd(q * ingest_price), None)
    });
    components.push(component_row(
        Component::DatadogIngest,
        modeled.get(&Component::DatadogIngest),
        ingest,
        sampled_gib(model, Component::DatadogIngest),
        vec!["logs.ingested_events_bytes".into()],
        format!(
            "Datadog usage API ingested bytes x the model's ${} per GB",
            ingest_price.normalize()
        ),
        threshold,
    ));

    // Each retention at its own price; retentions the book has no price for at 30 days'.
    let mut index_qty = Decimal::ZERO;
    let mut index_cost = Decimal::ZERO;
    let mut usage_types = Vec::new();
    let mut unpriced = Vec::new();
    let by_retention: Vec<(String, u64)> = if u.indexed_by_retention.is_empty() {
        u.indexed_events
            .map(|e| vec![(format!("{}_day", s.retention_days), e)])
            .unwrap_or_default()
    } else {
        u.indexed_by_retention
            .iter()
            .map(|(r, v)| (r.clone(), *v))
            .collect()
    };
    for (r, events) in &by_retention {
        let days = r.strip_suffix("_day").and_then(|d| d.parse::<u32>().ok());
        let id = match days {
            Some(3) => "datadog.index.3d",
            Some(7) => "datadog.index.7d",
            Some(15) => "datadog.index.15d",
            Some(30) => "datadog.index.30d",
            _ => {
                unpriced.push(r.clone());
                "datadog.index.30d"
            }
        };
        let q = Decimal::from(*events) / million;
        index_qty += q;
        index_cost += q * book.get(id, "us-east-1")?.flat() * premium;
        usage_types.push(format!("indexed_logs.logs_indexed_events_{r}_count"));
    }
    if !unpriced.is_empty() {
        notes.push(format!(
            "Indexed events at retentions the price book has no price for ({}) are priced as \
             30-day indexing.",
            unpriced.join(", ")
        ));
    }
    let index =
        (!by_retention.is_empty()).then(|| (index_qty, MicroUsd::from_usd(index_cost), None));
    components.push(component_row(
        Component::DatadogIndex,
        modeled.get(&Component::DatadogIndex),
        index,
        None,
        usage_types,
        "Datadog usage API indexed events x each retention's price per 1M events".into(),
        threshold,
    ));
    if let Some(stored) = u.flex_stored_events {
        let price = book.get("datadog.flex.storage", "us-east-1")?.flat() * premium;
        let q = Decimal::from(stored) / million;
        components.push(component_row(
            Component::DatadogFlex,
            modeled.get(&Component::DatadogFlex),
            Some((q, MicroUsd::from_usd(q * price), None)),
            None,
            vec!["flex_stored_logs".into()],
            format!(
                "Datadog usage API Flex events stored (monthly average) x the model's ${} per 1M",
                price.normalize()
            ),
            threshold,
        ));
    }
    let total = total_of(&components, threshold);
    Ok(DatadogReconciliation {
        file: m.source.clone(),
        rows_used: u.hours as usize,
        rows_outside_period: 0,
        rows_other_metrics: 0,
        components,
        total: Some(total),
        notes,
    })
}
