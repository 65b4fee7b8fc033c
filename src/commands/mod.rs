//! One module per subcommand: the glue between the command line and the stage modules, which
//! know nothing of the CLI.

pub mod actuals;
pub mod iam;
pub mod init;
pub mod prices;
pub mod queries;
pub mod report;
pub mod sample;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically (see [`crate::atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes)
}

/// Write data to stdout; a closed pipe (`logplan ... | head`) ends quietly.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
    }
}
