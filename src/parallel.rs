//! Independent jobs on as many threads as the machine has cores, largest first if the caller
//! orders them so, with the results in the order given. The model prices its scenarios with it,
//! the report writes its files with it.

use std::sync::Mutex;

/// One job: runs once, on some thread.
pub type Job<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Run `jobs`, at most one per core at a time; each job's result at its index. `None` when a
/// job panicked (the other jobs still run).
pub fn run<T: Send>(jobs: Vec<Job<'_, T>>) -> Option<Vec<T>> {
    let n = jobs.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .clamp(1, n.max(1));
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.next());
                        let Some((i, job)) = next else { break };
                        let r = job();
                        if let Ok(mut out) = results.lock() {
                            out[i] = Some(r);
                        }
                    }
                })
            })
            .collect();
        // A panicked worker leaves its job's slot empty; joining here keeps the panic from
        // propagating out of the scope.
        for w in workers {
            let _ = w.join();
        }
    });
    results.into_inner().ok()?.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_order_given() {
        // Job i sleeps longer the earlier it is, so on two or more cores the jobs finish in
        // reverse order; the results must still be 0, 1, ..., 7 squared.
        let jobs: Vec<Job<'_, u64>> = (0..8u64)
            .map(|i| {
                Box::new(move || {
                    std::thread::sleep(std::time::Duration::from_millis(8 * (8 - i)));
                    i * i
                }) as Job<'_, u64>
            })
            .collect();
        assert_eq!(run(jobs), Some(vec![0, 1, 4, 9, 16, 25, 36, 49]));
    }

    #[test]
    fn a_panicking_job_is_none_and_the_others_still_run() {
        let ran = std::sync::atomic::AtomicUsize::new(0);
        let ran = &ran;
        let mut jobs: Vec<Job<'_, ()>> = (0..4)
            .map(|_| {
                Box::new(move || {
                    ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }) as Job<'_, ()>
            })
            .collect();
        jobs.insert(0, Box::new(|| panic!("a job that fails")));
        assert_eq!(run(jobs), None);
        assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 4);
    }

    #[test]
    fn no_jobs_no_results() {
        assert_eq!(run::<u8>(Vec::new()), Some(Vec::new()));
    }
}
