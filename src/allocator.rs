//! The binaries' allocator, mimalloc, tuned for a run that frees a file's trees as soon as it
//! is done with them and builds the next file's at once.
//!
//! By default mimalloc gives freed pages back to the system 10 ms after they empty. A page
//! given back and touched again costs a page fault and the kernel zeroing it (with
//! transparent huge pages, 2 MiB at a time): on the benchmark's 5,000 files that was 5% of the
//! full pipeline's time (`perf record -e cpu-clock`, `clear_page_erms`), against 1% for
//! parsing alone, whose allocations follow one another more closely. Holding freed pages for
//! a second brought it to 3.0% (and 0.3%); memory still goes back to the system once a run
//! (or the language server) is idle.

/// `mi_option_purge_delay`, which libmimalloc-sys does not name: in mimalloc v2's
/// `mi_option_t` it follows `mi_option_eager_commit_delay`. A test checks that it reads
/// mimalloc's documented default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// Milliseconds a freed page is kept before it goes back to the system.
const KEEP_FREED_PAGES_MS: std::ffi::c_long = 1000;

/// Call first thing in `main`, before other threads start (mimalloc's options are not
/// thread-safe to set).
pub fn tune() {
    // SAFETY: sets a plain integer option; called before any other thread runs.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, KEEP_FREED_PAGES_MS) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_we_mean() {
        // mimalloc v2 documents `purge_delay` as 10 ms by default (tests never call `tune`).
        // SAFETY: reads a plain integer option.
        let value = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(value, 10);
    }
}
