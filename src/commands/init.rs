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
    let dir = args
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|source| Error::Output {
        path: args.path.clone(),
        source,
    })?;
    std::io::Write::write_all(&mut tmp, TEMPLATE.as_bytes()).map_err(|source| Error::Output {
        path: args.path.clone(),
        source,
    })?;
    tmp.persist(&args.path).map_err(|e| Error::Output {
        path: args.path.clone(),
        source: e.error,
    })?;
    eprintln!("wrote {}", args.path.display());
    Ok(EXIT_OK)
}
