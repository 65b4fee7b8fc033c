//! `logplan init`: a fully commented logplan.toml with every default.

use crate::cli::InitArgs;
use crate::error::{EXIT_OK, Error, Result};

/// The file `init` writes. A test parses it and checks it equals the built-in defaults.
pub const TEMPLATE: &str = include_str!("init_template.toml");

pub fn run(args: &InitArgs) -> Result<i32> {
    if args.path.exists() && !args.force {
        return Err(Error::Usage(format!(
            "{} exists; pass --force to overwrite it",
            args.path.display()
        )));
    }
    let text = with_library_id(TEMPLATE, &crate::queries::identity::new_library_id());
    super::write_atomic(&args.path, text.as_bytes())?;
    eprintln!("wrote {}", args.path.display());
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

    #[test]
    fn init_writes_a_library_id_the_config_accepts() {
        let id = crate::queries::identity::new_library_id();
        let text = with_library_id(TEMPLATE, &id);
        let c = crate::config::Config::parse(&text, std::path::Path::new("logplan.toml")).unwrap();
        assert_eq!(c.library_id.as_deref(), Some(id.as_str()));
        assert_ne!(
            id,
            crate::queries::identity::new_library_id(),
            "fresh each time"
        );
    }
}
