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
    super::write_atomic(&args.path, TEMPLATE.as_bytes())?;
    eprintln!("wrote {}", args.path.display());
    Ok(EXIT_OK)
}
