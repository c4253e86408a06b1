//! A batch of files on every worker of the pool. Files are handed out in order, in chunks
//! that shrink as the batch runs out (guided scheduling): a worker's files stay neighbours
//! (a directory's files call each other's functions, whose summaries stay in its caches),
//! and the batch ends on single files. A worker that finds nothing of the batch left does
//! other work meanwhile (the driver lowers the next batch's files, which need no summary)
//! rather than wait for the batch's last file: a batch ends at a barrier, and a run of a
//! thousand files has dozens of batches.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Runs `work` on every index of `0..len` across the pool's workers and returns the results
/// in index order. A worker out of indices calls `meanwhile` until the batch is done or it
/// returns false.
pub(super) fn run_batch<T: Send>(
    len: usize,
    work: impl Fn(usize) -> T + Sync,
    meanwhile: impl Fn() -> bool + Sync,
) -> Vec<T> {
    let workers = rayon::current_num_threads().max(1);
    let cursor = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::with_capacity(len));
    let worker = || {
        let mut mine = Vec::new();
        while let Some(chunk) = next_chunk(&cursor, len, workers) {
            for index in chunk {
                mine.push((index, work(index)));
                done.fetch_add(1, Ordering::AcqRel);
            }
        }
        while done.load(Ordering::Acquire) < len && meanwhile() {}
        results.lock().unwrap_or_else(PoisonError::into_inner).extend(mine);
    };
    rayon::scope(|scope| {
        for _ in 1..workers {
            scope.spawn(|_| worker());
        }
        worker();
    });
    let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// The next indices to take: a share of what is left (a quarter per worker at first), one at
/// the end.
fn next_chunk(cursor: &AtomicUsize, len: usize, workers: usize) -> Option<Range<usize>> {
    let mut start = cursor.load(Ordering::Relaxed);
    loop {
        let left = len.checked_sub(start).filter(|&left| left > 0)?;
        let end = start + (left / (4 * workers)).max(1);
        match cursor.compare_exchange_weak(start, end, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Some(start..end),
            Err(now) => start = now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_is_worked_once_and_comes_back_in_order() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().expect("a pool");
        let calls = AtomicUsize::new(0);
        let results = pool.install(|| {
            run_batch(
                1000,
                |index| {
                    calls.fetch_add(1, Ordering::Relaxed);
                    index * 2
                },
                || false,
            )
        });
        assert_eq!(results, (0..1000).map(|index| index * 2).collect::<Vec<_>>());
        assert_eq!(calls.load(Ordering::Relaxed), 1000);
    }

    #[test]
    fn a_worker_with_nothing_left_works_meanwhile_until_the_batch_is_done() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().expect("a pool");
        let started = AtomicUsize::new(0);
        let meanwhile_calls = AtomicUsize::new(0);
        pool.install(|| {
            run_batch(
                1,
                |_| {
                    started.fetch_add(1, Ordering::Relaxed);
                    // The one file of the batch takes until the other worker has worked
                    // meanwhile a few times.
                    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                    while meanwhile_calls.load(Ordering::Relaxed) < 3
                        && std::time::Instant::now() < deadline
                    {
                        std::thread::yield_now();
                    }
                },
                || {
                    meanwhile_calls.fetch_add(1, Ordering::Relaxed);
                    true
                },
            )
        });
        assert_eq!(started.load(Ordering::Relaxed), 1);
        assert!(meanwhile_calls.load(Ordering::Relaxed) >= 3);
    }

    #[test]
    fn chunks_shrink_to_single_indices_and_cover_the_batch() {
        let cursor = AtomicUsize::new(0);
        let chunks: Vec<Range<usize>> =
            std::iter::from_fn(|| next_chunk(&cursor, 100, 2)).collect();
        assert_eq!(chunks[0], 0..12);
        assert!(chunks.windows(2).all(|pair| pair[0].end == pair[1].start));
        assert_eq!(chunks.last(), Some(&(99..100)));
        assert!(chunks.windows(2).all(|pair| pair[0].len() >= pair[1].len()));
    }
}
