//! One module per subcommand: the glue between the command line and the stage modules, which
//! know nothing of the CLI.

pub mod actuals;
pub mod iam;
pub mod init;
pub mod prices;
pub mod queries;
pub mod report;
pub mod sample;

use std::path::Path;

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically: a temporary file beside it, renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let out = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(out)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(out)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(out)?;
    tmp.persist(path).map_err(|e| out(e.error))?;
    Ok(())
}
