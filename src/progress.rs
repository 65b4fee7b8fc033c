//! The one place that talks to people while a run is under way: progress bars and warnings on
//! stderr. Bars are hidden with `--quiet` or when stderr is not a terminal; warnings are printed
//! unless `--quiet`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone)]
pub struct Reporter {
    quiet: bool,
    bars: bool,
}

impl Reporter {
    pub fn new(quiet: bool) -> Reporter {
        Reporter {
            quiet,
            bars: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// A reporter that prints nothing at all (tests, benchmarks).
    pub fn silent() -> Reporter {
        Reporter {
            quiet: true,
            bars: false,
        }
    }

    /// A bar of `len` steps labelled `what`; a hidden one when bars are off.
    pub fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if !self.bars {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{spinner} {msg:<28} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_string());
        bar
    }

    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("warning: {msg}");
        }
    }

    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }

    pub fn is_quiet(&self) -> bool {
        self.quiet
    }
}

/// Times a stage of a run: when dropped, logs how long it took at debug level
/// (`LOGPLAN_LOG=logplan=debug`), so a slow report can be taken apart without a profiler.
pub struct Stage {
    what: &'static str,
    start: std::time::Instant,
    cpu: Option<std::time::Duration>,
}

impl Stage {
    pub fn start(what: &'static str) -> Stage {
        Stage {
            what,
            start: std::time::Instant::now(),
            cpu: thread_cpu(),
        }
    }
}

/// CPU time the calling thread has used (user and system): a stage's own cost, which wall
/// time hides when stages run side by side.
fn thread_cpu() -> Option<std::time::Duration> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the call's duration.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        (rc == 0).then(|| std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !tracing::enabled!(tracing::Level::DEBUG) {
            return;
        }
        let cpu = self
            .cpu
            .zip(thread_cpu())
            .map_or("unknown".to_string(), |(a, b)| {
                format!("{:.3} s", b.saturating_sub(a).as_secs_f64())
            });
        tracing::debug!(
            "{} took {:.3} s, this thread's CPU {cpu} (peak RSS so far: {})",
            self.what,
            self.start.elapsed().as_secs_f64(),
            peak_rss().as_deref().unwrap_or("unknown")
        );
    }
}

/// The process's peak resident memory so far (Linux: `VmHWM` of /proc/self/status).
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}
