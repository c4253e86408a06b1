//! The `fdlint` command; the command line itself lives in the library (`fdlint::cli`), shared
//! with `cargo fdlint`.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    fdlint::allocator::tune();
    fdlint::cli::fdlint_main(std::env::args_os())
}
