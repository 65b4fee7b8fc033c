//! `logplan prices`: the price book in force, with statuses and overrides.

use super::print_stdout;
use crate::cli::{GlobalArgs, PricesArgs};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};
use crate::pricing::PriceBook;

pub fn run(global: &GlobalArgs, args: &PricesArgs) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let mut book = PriceBook::builtin()?;
    book.apply(
        &config.prices,
        config_path
            .as_deref()
            .unwrap_or(std::path::Path::new("logplan.toml")),
    )?;
    for r in &global.regions {
        crate::regions::check(r)?;
    }
    let figures: Vec<_> = book
        .figures(None)
        .into_iter()
        .filter(|f| {
            global.regions.is_empty() || f.region == "*" || global.regions.contains(&f.region)
        })
        .collect();
    if args.json {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "effective": book.effective.to_string(),
            "figures": figures,
        }))
        .map_err(|e| Error::Internal(format!("prices JSON: {e}")))?;
        return print_stdout(&(text + "\n")).map(|_| EXIT_OK);
    }
    let mut out = format!("Price book effective {} (USD; GB = GiB)\n", book.effective);
    out += &format!(
        "{:<28} {:<15} {:<30} {:<12} {}\n",
        "figure", "region", "price", "status", "source"
    );
    for f in &figures {
        let prices: Vec<String> = f.prices.iter().map(|p| p.normalize().to_string()).collect();
        let price = if f.is_tiered() {
            format!("{} per {} (tiered)", prices.join("/"), f.unit)
        } else {
            format!("{} per {}", prices[0], f.unit)
        };
        let mut status = f.status.to_string();
        if let Some(b) = &f.book_prices {
            let b: Vec<String> = b.iter().map(|p| p.normalize().to_string()).collect();
            status = format!("{status} (book {})", b.join("/"));
        }
        let source = match f.effective_from {
            Some(d) => format!("{} (in force from {d})", f.source),
            None => f.source.clone(),
        };
        out += &format!(
            "{:<28} {:<15} {:<30} {:<12} {source}\n",
            f.id, f.region, price, status
        );
    }
    // Say what is missing for the regions asked about: the model would stop on these.
    for r in &global.regions {
        let mut ids: Vec<&str> = book.figures(None).iter().map(|f| f.id.as_str()).collect();
        ids.dedup();
        let missing: Vec<&str> = ids
            .into_iter()
            .filter(|id| book.get(id, r).is_err())
            .collect();
        if !missing.is_empty() {
            out += &format!(
                "missing for {r}: {} (set them under [prices.override] as \"<id>@{r}\")\n",
                missing.join(", ")
            );
        }
    }
    print_stdout(&out).map(|_| EXIT_OK)
}
