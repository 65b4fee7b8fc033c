//! `logplan init`: a fully commented logplan.toml with every default.

use crate::cli::InitArgs;
use crate::error::{EXIT_OK, Error, Result};

/// The file `init` writes. A test parses it and checks it equals the built-in defaults.
pub const TEMPLATE: &str = include_str!("init_template.toml");

pub fn run(args: &InitArgs) -> Result<i32> {
    if args.out.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to overwrite it",
            args.out.display()
        )));
    }
    super::write_atomic(&args.out, TEMPLATE.as_bytes())?;
    eprintln!("wrote {}", args.out.display());
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    #[test]
    fn init_template_is_the_defaults() {
        let c = Config::parse(TEMPLATE, Path::new("logplan.toml")).unwrap();
        let d = crate::model::Scenario::default();
        assert_eq!(
            serde_json::to_value(&c.scenario).unwrap(),
            serde_json::to_value(&d).unwrap()
        );
        assert_eq!(c.concurrency, Some(crate::collect::DEFAULT_CONCURRENCY));
        assert_eq!(
            c.aws.max_attempts,
            Some(crate::aws::sdk::ConnectSettings::DEFAULT_MAX_ATTEMPTS)
        );
    }
}
