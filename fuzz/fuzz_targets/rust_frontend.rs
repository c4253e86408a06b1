//! The Rust frontend on any text: it must return, never panic, never overflow the stack.
#![no_main]

use fdlint::frontend;
use fdlint::ir::Language;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Rust files that are not UTF-8 are refused before the frontend sees them.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = frontend::lower(Language::Rust, text);
    }
});
