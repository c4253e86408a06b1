//! The C frontend on any bytes, decoded the way the driver decodes a C file.
#![no_main]

use fdlint::frontend;
use fdlint::ir::Language;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Binary files (a NUL byte) are refused before the frontend sees them.
    if let Ok(decoded) = fdlint::read::decode(data.to_vec(), Language::C) {
        let _ = frontend::lower(Language::C, &decoded.text);
    }
});
