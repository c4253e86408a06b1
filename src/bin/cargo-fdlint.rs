//! `cargo fdlint`: cargo finds this binary on the PATH and runs `cargo-fdlint fdlint ARGS`.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    fdlint::allocator::tune();
    fdlint::cli::cargo_fdlint_main(std::env::args_os())
}
