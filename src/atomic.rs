//! Atomic file writes: a file is written under a temporary name in its target folder and renamed
//! into place only when complete, so a failed run never leaves a half-written file and a reader
//! sees the old file or the new one. Every file logplan writes comes through here (the report
//! folder, whose files are written in a temporary folder renamed as a whole, gets the same modes),
//! and gets the mode the user's umask gives a new file (0644 under the usual umask 022), like a
//! file written by any other tool, not the owner-only 0600 of a bare temporary file.
//!
//! A folder of several files (a report, a snapshot with its daily and filters tables and Hive
//! copies, the query library on import) is one unit: [`StagedDir`] builds the new folder beside
//! the old one, carries over (hard links, else copies) what this run does not rewrite, and
//! exchanges the two in one `renameat2(RENAME_EXCHANGE)` call on Linux, so a reader (or a crash)
//! sees the whole old folder or the whole new one, never neither and never a mix. Only then is
//! the old folder removed. Elsewhere (no `renameat2`) the fallback is two renames (old aside, new
//! in) with the old folder put back if the second fails: there is a moment with no folder, which
//! the README states. A run whose folder would be byte-for-byte the same leaves it untouched.

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

/// A new file for a polars writer (Parquet, CSV tables), written 1 MiB at a time and keeping
/// the first write error it returns.
/// - polars' Parquet writer sends every page header and every field of the footer's Thrift
///   metadata as its own write: unbuffered, the 100,000-group report's `focus.parquet` took
///   387,035 write calls and its Hive copy 223,061.
/// - polars' Parquet writer turns an I/O error into text ("File out of specification: underlying
///   IO error"), so the error is taken from here: a full disk is an output error naming the
///   file, like any other failed write, not an internal one.
pub struct PolarsOut {
    buf: std::io::BufWriter<File>,
    failed: Option<(std::io::ErrorKind, String)>,
}

impl PolarsOut {
    /// Create `path` and write it with `write` (a polars writer given the file); errors name
    /// `shown` (what the user sees the file as). The file, everything written to it.
    pub fn write_file(
        path: &Path,
        shown: &Path,
        write: impl FnOnce(&mut PolarsOut) -> polars::prelude::PolarsResult<()>,
    ) -> Result<File> {
        let file = File::create(path).map_err(|e| output(shown, e))?;
        let mut out = PolarsOut {
            buf: std::io::BufWriter::with_capacity(1 << 20, file),
            failed: None,
        };
        if let Err(e) = write(&mut out) {
            // The file's own write error when it returned one; anything else is polars'.
            return Err(match out.failed.take() {
                Some((kind, message)) => output(shown, std::io::Error::new(kind, message)),
                None => {
                    let name = shown.file_name().unwrap_or(shown.as_os_str());
                    Error::Internal(format!("writing {}: {e}", name.to_string_lossy()))
                }
            });
        }
        // A failed write of the buffer's last bytes is reported here, not lost on drop.
        out.buf
            .into_inner()
            .map_err(|e| output(shown, e.into_error()))
    }

    fn keep<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            self.failed.get_or_insert_with(|| (e.kind(), e.to_string()));
        }
        r
    }
}

impl std::io::Write for PolarsOut {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let r = self.buf.write(b);
        self.keep(r)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.buf.flush();
        self.keep(r)
    }
}

/// A new version of folder `target`, built in a hidden sibling and swapped in by [`commit`].
/// Dropped uncommitted, it is removed and `target` is untouched.
///
/// [`commit`]: StagedDir::commit
pub struct StagedDir {
    tmp: tempfile::TempDir,
    target: PathBuf,
}

impl StagedDir {
    /// An empty staging folder beside `target` (whose parent is created if missing).
    pub fn new(target: &Path) -> Result<StagedDir> {
        // `.`, `..` or `dir/.` name no folder of their own: the staging folder must sit beside
        // the real one, so such a target is resolved first (a folder without a name, `/`, is
        // refused: it has no parent to stage beside).
        let resolved;
        let target = if target.file_name().is_none() {
            resolved = std::fs::canonicalize(target).map_err(|source| output(target, source))?;
            if resolved.file_name().is_none() {
                return Err(Error::Usage(format!(
                    "{} cannot be replaced as a whole: name a folder inside it",
                    target.display()
                )));
            }
            resolved.as_path()
        } else {
            target
        };
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|source| output(parent, source))?;
        let name = target
            .file_name()
            .map_or("out".into(), |n| n.to_string_lossy());
        let stale = format!(".{name}.logplan-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&stale);
        // rwxrwxrwx less the umask, as for any new folder.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777));
        // A run killed earlier may have left its staging folder (hidden); it goes now.
        if let Ok(entries) = std::fs::read_dir(parent) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&stale) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let tmp = builder
            .tempdir_in(parent)
            .map_err(|source| output(target, source))?;
        Ok(StagedDir {
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// The folder to write the new files into.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Carry over from the current folder every entry this run did not write (except the names
    /// in `drop`), then put the new folder in place. Returns false when the new folder was the
    /// same as the old one, which is then left exactly as it was.
    pub fn commit(self, drop: &[&str]) -> Result<bool> {
        let target = self.target.clone();
        if target.exists() && !target.is_dir() {
            return Err(output(
                &target,
                std::io::Error::other("it is a file, not a folder; nothing was written"),
            ));
        }
        if target.is_dir() {
            carry_over(&target, self.tmp.path(), drop).map_err(|e| output(&target, e))?;
            if same_tree(&target, self.tmp.path()).unwrap_or(false) {
                return Ok(false);
            }
        }
        crash_point("commit");
        let staged = self.tmp.keep();
        replace_dir(&staged, &target)?;
        Ok(true)
    }
}

/// Link (else copy) into `to` the entries of `from` that `to` lacks, except `drop` (top level
/// only); a folder both have is merged the same way.
fn carry_over(from: &Path, to: &Path, drop: &[&str]) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let dest = to.join(&name);
        if drop.iter().any(|d| name == **d) {
            continue;
        }
        match dest.symlink_metadata() {
            Err(_) => link_tree(&entry.path(), &dest)?,
            Ok(m) if m.is_dir() && entry.file_type()?.is_dir() => {
                carry_over(&entry.path(), &dest, &[])?
            }
            // A user's folder is never replaced by a file of ours (nor the other way round).
            Ok(m) if m.is_dir() || entry.file_type()?.is_dir() => {
                return Err(std::io::Error::other(format!(
                    "{} is a folder where a file goes, or a file where a folder goes",
                    entry.path().display()
                )));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// A copy of `from` at `to` that shares the files' data (hard links; a copy when linking
/// fails). Safe because logplan never writes a file in place: every write makes a new file.
pub fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.is_dir() {
        std::fs::create_dir(to)?;
        std::fs::set_permissions(to, meta.permissions())?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else if meta.file_type().is_symlink() {
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
        }
        #[cfg(not(unix))]
        {
            std::fs::copy(from, to).map(|_| ())
        }
    } else {
        std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
    }
}

/// Whether two folder trees hold the same names and the same bytes.
fn same_tree(a: &Path, b: &Path) -> std::io::Result<bool> {
    let names = |p: &Path| -> std::io::Result<Vec<std::ffi::OsString>> {
        let mut v = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<Vec<_>>>()?;
        v.sort();
        Ok(v)
    };
    let (na, nb) = (names(a)?, names(b)?);
    if na != nb {
        return Ok(false);
    }
    for n in na {
        let (pa, pb) = (a.join(&n), b.join(&n));
        let (ma, mb) = (
            std::fs::symlink_metadata(&pa)?,
            std::fs::symlink_metadata(&pb)?,
        );
        let same = if ma.is_dir() && mb.is_dir() {
            same_tree(&pa, &pb)?
        } else if ma.is_file() && mb.is_file() {
            same_inode(&ma, &mb)
                || (ma.len() == mb.len() && std::fs::read(&pa)? == std::fs::read(&pb)?)
        } else {
            false
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_a: &std::fs::Metadata, _b: &std::fs::Metadata) -> bool {
    false
}

/// Put folder `staged` at `target` (which may exist), then remove the old folder. Errors say
/// where things are when a step (or putting the old folder back) failed.
pub fn replace_dir(staged: &Path, target: &Path) -> Result<()> {
    if !target.exists() {
        return std::fs::rename(staged, target).map_err(|e| {
            let _ = std::fs::remove_dir_all(staged);
            output(target, e)
        });
    }
    match exchange(staged, target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => fallback_swap(staged, target)?,
        Err(e) => {
            let _ = std::fs::remove_dir_all(staged);
            return Err(output(target, e));
        }
    }
    crash_point("exchanged");
    // `staged` now holds the old folder.
    std::fs::remove_dir_all(staged).map_err(|e| {
        output(
            target,
            std::io::Error::other(format!(
                "the new folder is in place, but the old one could not be removed from {}: {e}",
                staged.display()
            )),
        )
    })
}

/// Without an atomic exchange: old folder aside, new folder in, old folder back on failure.
/// Afterwards `staged` holds the old folder, as after an exchange.
fn fallback_swap(staged: &Path, target: &Path) -> Result<()> {
    // Named like the staging folder, so a run killed here leaves what the next run clears.
    let mut aside = staged.as_os_str().to_owned();
    aside.push("-old");
    let aside = PathBuf::from(aside);
    std::fs::rename(target, &aside).map_err(|e| output(target, e))?;
    if let Err(e) = std::fs::rename(staged, target) {
        return Err(match std::fs::rename(&aside, target) {
            Ok(()) => output(target, e),
            Err(back) => output(
                target,
                std::io::Error::other(format!(
                    "{e}; and the old folder could not be put back from {}: {back}",
                    aside.display()
                )),
            ),
        });
    }
    std::fs::rename(&aside, staged).map_err(|e| output(&aside, e))
}

/// Exchange two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
pub fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated paths relative to the working directory.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    // A filesystem (or kernel) without RENAME_EXCHANGE: the caller falls back.
    if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
        return Err(std::io::Error::new(std::io::ErrorKind::Unsupported, e));
    }
    Err(e)
}

/// No atomic exchange here: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
pub fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "no atomic folder exchange on this system",
    ))
}

/// Test hook for the crash tests: with `LOGPLAN_TEST_CRASH_AT=<point>` the process stops dead
/// (SIGKILL to itself, as a power cut would) at that point of a commit. Never set by users.
pub fn crash_point(point: &str) {
    if std::env::var_os("LOGPLAN_TEST_CRASH_AT").is_some_and(|p| p == point) {
        #[cfg(unix)]
        // SAFETY: kill(2) on our own pid with a constant signal.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

fn output(path: &Path, source: std::io::Error) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        source,
    }
}

/// For tests: `r` is the output error of a full disk (ENOSPC, as /dev/full gives) naming `path`.
#[cfg(test)]
pub(crate) fn assert_full_disk<T: std::fmt::Debug>(r: Result<T>, path: &Path) {
    match r {
        Err(Error::Output { path: p, source }) => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
        }
        other => panic!(
            "expected an output error naming {}, got {other:?}",
            path.display()
        ),
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

#[cfg(test)]
mod folder_tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_staged_folder_replaces_the_old_one_carrying_over_the_rest() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("m");
        std::fs::create_dir_all(target.join("sub")).unwrap();
        std::fs::write(target.join("a.txt"), "old a").unwrap();
        std::fs::write(target.join("gone.csv"), "of the old run").unwrap();
        std::fs::write(target.join("sub/kept.txt"), "kept").unwrap();
        let stage = StagedDir::new(&target).unwrap();
        std::fs::write(stage.path().join("a.txt"), "new a").unwrap();
        std::fs::create_dir(stage.path().join("sub")).unwrap();
        std::fs::write(stage.path().join("sub/new.txt"), "new").unwrap();
        assert!(stage.commit(&["gone.csv"]).unwrap());
        assert_eq!(
            std::fs::read_to_string(target.join("a.txt")).unwrap(),
            "new a"
        );
        assert_eq!(names(&target), vec!["a.txt", "sub"]);
        assert_eq!(names(&target.join("sub")), vec!["kept.txt", "new.txt"]);
        // Nothing beside it: the old folder is gone.
        assert_eq!(names(root.path()), vec!["m"]);
    }

    #[test]
    fn a_folder_named_by_dot_dot_is_staged_beside_the_real_one() {
        // `m/sub/..` is `m`: the staging folder goes beside `m` (not inside it), and `m`'s
        // subfolder is carried over.
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("m");
        std::fs::create_dir_all(target.join("sub")).unwrap();
        std::fs::write(target.join("sub/kept.txt"), "kept").unwrap();
        let stage = StagedDir::new(&target.join("sub").join("..")).unwrap();
        assert_eq!(
            stage.path().parent(),
            Some(root.path().canonicalize().unwrap().as_path())
        );
        std::fs::write(stage.path().join("new.txt"), "new").unwrap();
        assert!(stage.commit(&[]).unwrap());
        assert_eq!(names(&target), vec!["new.txt", "sub"]);
        assert_eq!(names(&target.join("sub")), vec!["kept.txt"]);
        assert_eq!(names(root.path()), vec!["m"]);
        // The root has no folder to stage beside: refused in one line.
        let e = StagedDir::new(Path::new("/")).err().unwrap().to_string();
        assert!(e.contains("cannot be replaced as a whole"), "{e}");
    }

    #[test]
    fn the_same_bytes_leave_the_folder_untouched() {
        use std::os::unix::fs::MetadataExt;
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("m");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("a.txt"), "same").unwrap();
        let before = std::fs::metadata(&target).unwrap().ino();
        let stage = StagedDir::new(&target).unwrap();
        std::fs::write(stage.path().join("a.txt"), "same").unwrap();
        assert!(!stage.commit(&[]).unwrap());
        assert_eq!(std::fs::metadata(&target).unwrap().ino(), before);
        assert_eq!(names(root.path()), vec!["m"]);
    }

    #[test]
    fn a_file_is_never_replaced_by_a_folder_nor_a_folder_by_a_file() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("out.txt");
        std::fs::write(&file, "mine").unwrap();
        let stage = StagedDir::new(&file).unwrap();
        std::fs::write(stage.path().join("x"), "x").unwrap();
        assert!(stage.commit(&[]).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
        let target = root.path().join("lib");
        std::fs::create_dir_all(target.join("b.toml")).unwrap();
        let stage = StagedDir::new(&target).unwrap();
        std::fs::write(stage.path().join("b.toml"), "file").unwrap();
        assert!(stage.commit(&[]).is_err());
        assert!(target.join("b.toml").is_dir());
        assert_eq!(names(root.path()), vec!["lib", "out.txt"]);
    }

    #[test]
    fn the_fallback_swap_ends_as_an_exchange_does() {
        let root = tempfile::tempdir().unwrap();
        let (staged, target) = (root.path().join(".m.logplan-x"), root.path().join("m"));
        std::fs::create_dir(&staged).unwrap();
        std::fs::create_dir(&target).unwrap();
        std::fs::write(staged.join("new"), "").unwrap();
        std::fs::write(target.join("old"), "").unwrap();
        fallback_swap(&staged, &target).unwrap();
        assert_eq!(names(&target), vec!["new"]);
        assert_eq!(names(&staged), vec!["old"]);
        // A failed second rename puts the old folder back and says so: here the new folder is
        // missing, so moving it in fails.
        std::fs::remove_dir_all(&staged).unwrap();
        let err = fallback_swap(&staged, &target).unwrap_err();
        assert!(err.to_string().contains("cannot write"), "{err}");
        assert_eq!(names(&target), vec!["new"]);
    }

    #[test]
    fn a_killed_run_s_staging_folder_goes_with_the_next_run() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("m");
        std::fs::create_dir_all(root.path().join(".m.logplan-dead")).unwrap();
        std::fs::create_dir_all(root.path().join(".m.logplan-dead-old")).unwrap();
        let stage = StagedDir::new(&target).unwrap();
        std::fs::write(stage.path().join("a"), "").unwrap();
        stage.commit(&[]).unwrap();
        assert_eq!(names(root.path()), vec!["m"]);
    }
}
