//! Atomic file writes: a file is written under a temporary name in its target folder and renamed
//! into place only when complete, so a failed run never leaves a half-written file and a reader
//! sees the old file or the new one. Every file logplan writes comes through here (the report
//! folder, whose files are written in a temporary folder renamed as a whole, gets the same modes),
//! and gets the mode the user's umask gives a new file (0644 under the usual umask 022), like a
//! file written by any other tool, not the owner-only 0600 of a bare temporary file.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file being written beside its target; [`AtomicFile::commit`] renames it into place, and
/// dropping it uncommitted removes it.
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// A temporary file in `target`'s folder (created if missing), named `.logplan-*.tmp`.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| output(target, source))?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".logplan-").suffix(".tmp");
        // Ask for rw-rw-rw-; the kernel applies the umask, as for any new file.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = builder
            .tempfile_in(dir)
            .map_err(|source| output(target, source))?;
        Ok(AtomicFile {
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// The file to write into.
    pub fn as_file_mut(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Where the file goes, for messages.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flush to disk and rename into place, replacing any file there.
    pub fn commit(self) -> Result<()> {
        let target = self.target;
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|source| output(&target, source))?;
        self.tmp
            .persist(&target)
            .map_err(|e| output(&target, e.error))?;
        Ok(())
    }
}

/// Write `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    std::io::Write::write_all(f.as_file_mut(), bytes).map_err(|source| output(path, source))?;
    f.commit()
}

fn output(path: &Path, source: std::io::Error) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_written_file_has_the_mode_of_any_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("sub/ours.json");
        write(&ours, b"{}").unwrap();
        // The reference: a file created the ordinary way, under the same umask.
        let plain = dir.path().join("sub/plain.json");
        std::fs::write(&plain, b"{}").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ours), mode(&plain));
        assert_eq!(std::fs::read(&ours).unwrap(), b"{}");
        // Nothing but the two files is left in the folder.
        assert_eq!(
            std::fs::read_dir(dir.path().join("sub")).unwrap().count(),
            2
        );
    }

    #[test]
    fn an_uncommitted_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x.parquet");
        let mut f = AtomicFile::create(&target).unwrap();
        std::io::Write::write_all(f.as_file_mut(), b"partial").unwrap();
        drop(f);
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
