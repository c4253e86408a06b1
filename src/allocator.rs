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
//!
//! The rest of that zeroing came from transparent huge pages: mimalloc asks for them, and each
//! first touch of a 2 MiB region then zeroes all of it, however little the run uses. On 1,000
//! files, 7% of the full pipeline's samples were `clear_page_erms` (none with parsing alone);
//! with huge pages off for the process, 0.1%, and peak memory went down by 6 MiB.

/// `mi_option_purge_delay`, which libmimalloc-sys does not name: in mimalloc v2's
/// `mi_option_t` it follows `mi_option_eager_commit_delay`. A test checks that it reads
/// mimalloc's documented default.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// Milliseconds a freed page is kept before it goes back to the system.
const KEEP_FREED_PAGES_MS: std::ffi::c_long = 1000;

/// `mi_option_allow_thp`, the last of mimalloc v2's options, which libmimalloc-sys does not
/// name either.
const ALLOW_HUGE_PAGES: libmimalloc_sys::mi_option_t = libmimalloc_sys::_mi_option_last - 1;

/// Call first thing in `main`, before other threads start (mimalloc's options are not
/// thread-safe to set) and before any tree-sitter parser or tree exists (one made before
/// would be freed by the other allocator).
pub fn tune() {
    // SAFETY: sets plain integer options; called before any other thread runs.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, KEEP_FREED_PAGES_MS);
        libmimalloc_sys::mi_option_set(ALLOW_HUGE_PAGES, 0);
    }
    no_huge_pages();
    trees_from_mimalloc();
}

/// tree-sitter's C code allocates with glibc's malloc unless told otherwise: its trees then
/// live in a second heap beside mimalloc's, and a file's freed tree does not make the memory
/// the next file's IR takes (still in the cache) or the reverse. One allocator for both.
fn trees_from_mimalloc() {
    // SAFETY: called before any tree-sitter object exists (`tune` runs first in `main`), so
    // nothing glibc allocated is ever given to mimalloc's `free`; the four functions are
    // mimalloc's own malloc, calloc, realloc and free, with the C signatures tree-sitter asks.
    unsafe {
        tree_sitter::set_allocator(
            Some(libmimalloc_sys::mi_malloc),
            Some(libmimalloc_sys::mi_calloc),
            Some(libmimalloc_sys::mi_realloc),
            Some(libmimalloc_sys::mi_free),
        );
    }
}

/// Transparent huge pages off for the whole process (mimalloc's option only stops it asking
/// for them; a system set to use them always would still hand them out). Children inherit it.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: a prctl with plain integer arguments; it changes no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
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

    #[test]
    fn the_huge_pages_option_is_the_one_we_mean() {
        // mimalloc v2 allows transparent huge pages by default, unless the environment says.
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
            // SAFETY: reads a plain integer option.
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(ALLOW_HUGE_PAGES) }, 1);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_after_tuning() {
        no_huge_pages();
        // SAFETY: reads the process's flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }
}
