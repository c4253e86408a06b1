//! What the language server pays for a keystroke: re-linting a 5,000-line file open in the
//! editor after a one-line change (re-lower what the change touched, re-analyse the functions
//! it changed, lint them and move the other findings), against parsing the file alone.
//! `cargo bench --bench lsp_relint` prints the table; the target is under 50 ms and within 2x
//! of the parse.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fdlint::catalog::Catalog;
use fdlint::corpus::many_functions;
use fdlint::frontend;
use fdlint::ir::Language;
use fdlint::lsp::workspace::Workspace;

// The server runs inside the `fdlint` binary, which uses mimalloc: measure with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LINES: usize = 5_000;
const RUNS: usize = 15;

fn main() {
    // `cargo test --all-targets` runs this too, without `--bench`: a quick run that it works.
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let (lines, runs) = if measuring { (LINES, RUNS) } else { (200, 1) };
    println!("| file | lines | parse | lower (parse + IR) | re-lint after a one-line change | of which findings | re-lint / parse |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, language) in [("gen.c", Language::C), ("gen.rs", Language::Rust)] {
        let text = many_functions(language, lines);
        let parse = median(runs, |_| parse(language, &text));
        let lower = median(runs, |_| {
            std::hint::black_box(frontend::lower(language, &text));
        });
        let (relint, findings) = relint_time(name, &text, runs);
        println!(
            "| {name} | {} | {} | {} | {} | {} | {:.2}x |",
            text.lines().count(),
            ms(parse),
            ms(lower),
            ms(relint),
            ms(findings),
            relint.as_secs_f64() / parse.as_secs_f64()
        );
    }
}

/// Opens the file in a workspace of its own, then times each edit: the new text is taken in
/// (the file re-lowered and re-analysed, incrementally) and the findings computed, as the
/// server publishes.
/// The whole re-lint, and the part of it spent turning facts into findings (lints, fixes,
/// allow comments).
fn relint_time(name: &str, text: &str, runs: usize) -> (Duration, Duration) {
    let path = PathBuf::from("/bench").join(name);
    let mut workspace = Workspace::new(Catalog::builtin());
    workspace.apply(vec![(path.clone(), Some(text.to_string()))]);
    let findings = workspace.report(&path).map_or(0, |r| r.diagnostics.len());
    assert!(findings > 0, "the generated {name} has findings to keep");
    let line = text.find("    int pad = 0;").or_else(|| text.find("    let pad = 0;")).unwrap();
    let mut report_times = Vec::new();
    let total = median(runs, |run| {
        // A different one-line edit each time, so nothing can be skipped as unchanged.
        let edited =
            format!("{}{}{}", &text[..line], format_args!("    /* {run} */"), &text[line..]);
        workspace.apply(vec![(path.clone(), Some(edited))]);
        let start = Instant::now();
        std::hint::black_box(workspace.report(&path));
        report_times.push(start.elapsed());
    });
    report_times.sort();
    (total, report_times[report_times.len() / 2])
}

fn parse(language: Language, text: &str) {
    match language {
        Language::C => {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&tree_sitter_c::LANGUAGE.into()).unwrap();
            std::hint::black_box(parser.parse(text, None));
        }
        Language::Rust => {
            std::hint::black_box(syn::parse_str::<syn::File>(text).ok());
        }
    }
}

fn median(runs: usize, mut work: impl FnMut(usize)) -> Duration {
    work(0);
    let mut times: Vec<Duration> = (1..=runs)
        .map(|run| {
            let start = Instant::now();
            work(run);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}
