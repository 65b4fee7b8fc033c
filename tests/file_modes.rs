//! Every file logplan writes gets the mode the user's umask gives a new file, whatever writes it
//! (report files, Parquet through polars, snapshot tables, the cache, `init`): run under umask
//! 027, files must be 0640 (0666 minus 027) and folders 0750 (0777 minus 027).
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// `logplan ARGS` run by `sh` after `umask 027`, with the clean environment of the other tests.
fn under_umask_027(home: &Path, args: &[&str]) {
    let bin = assert_cmd::cargo::cargo_bin("logplan");
    let cmd = logplan(home);
    let mut argv = vec![
        "-c".to_string(),
        "umask 027 && exec \"$0\" \"$@\"".to_string(),
        bin.display().to_string(),
    ];
    argv.extend(args.iter().map(|a| a.to_string()));
    // The same environment as `logplan(home)`, but the program is sh.
    let out = std::process::Command::new("sh")
        .args(&argv)
        .env_clear()
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .current_dir(home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn every_output_file_has_the_umask_mode() {
    let home = tempfile::tempdir().unwrap();
    under_umask_027(
        home.path(),
        &["report", "--demo", "--month", "2026-10", "--quiet"],
    );
    under_umask_027(
        home.path(),
        &[
            "sample", "--demo", "--month", "2026-09", "--format", "csv", "--quiet",
        ],
    );
    under_umask_027(home.path(), &["init", "--out", "conf/logplan.toml"]);
    let report = home.path().join("reports/2026-10");
    let files = files_under(home.path());
    // The report (Parquet included), the sampled tables in it and beside it, the config.
    for must in [
        "reports/2026-10/report.html",
        "reports/2026-10/log_groups.parquet",
        "reports/2026-10/snapshot.parquet",
        "reports/2026-10/daily.parquet",
        "reports/2026-09/snapshot.csv",
        "reports/2026-09/daily.csv",
        "conf/logplan.toml",
    ] {
        assert!(files.iter().any(|f| f == must), "{must} missing: {files:?}");
    }
    for f in &files {
        assert_eq!(mode(&home.path().join(f)), 0o640, "{f}");
    }
    for d in [
        home.path().join("reports"),
        report,
        home.path().join("conf"),
    ] {
        assert_eq!(mode(&d), 0o750, "{}", d.display());
    }
}
