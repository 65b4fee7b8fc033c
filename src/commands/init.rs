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
    let text = with_library_id(TEMPLATE, &crate::queries::identity::new_library_id());
    super::write_atomic(&args.out, text.as_bytes())?;
    eprintln!("wrote {}", args.out.display());
    Ok(EXIT_OK)
}

/// The template with a fresh `library_id` line after its opening comments: the identity this
/// query library's deployed definitions carry.
fn with_library_id(template: &str, id: &str) -> String {
    let header_end = template
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let (head, rest) = template.split_at(header_end.min(template.len()));
    format!(
        "{head}\n# The query library's identity, in the marker of every definition `logplan queries apply`\n# deploys: libraries sharing an account never touch each other's definitions. Keep it.\nlibrary_id = \"{id}\"\n{rest}"
    )
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

    #[test]
    fn init_writes_a_library_id_the_config_accepts() {
        let id = crate::queries::identity::new_library_id();
        let text = with_library_id(TEMPLATE, &id);
        let c = Config::parse(&text, Path::new("logplan.toml")).unwrap();
        assert_eq!(c.library_id.as_deref(), Some(id.as_str()));
        assert_ne!(
            id,
            crate::queries::identity::new_library_id(),
            "fresh each time"
        );
    }
}
