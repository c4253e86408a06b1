//! How the pipeline scales, counted rather than timed: the dataflow's work stays a small
//! multiple of the IR it reads, and the output does not depend on the number of threads or
//! on how much IR a run keeps in memory.

use std::path::PathBuf;

use fdlint::analysis::analyze_run_measured;
use fdlint::catalog::Catalog;
use fdlint::corpus::{large_file, write_corpus, CorpusSpec};
use fdlint::driver::{in_worker_pool, lint_paths_within, IR_BUDGET_BYTES};
use fdlint::frontend;
use fdlint::ir::{Language, LoweredFile};
use fdlint::output::{write_reports, OutputFormat};
use fdlint::walk::collect_files;

/// Statements the dataflow may run per IR statement (and terminator): a few processes (forks
/// split them) and a few visits per loop; the generated files need about 0.8 (C) and 1.8
/// (Rust) since acyclic functions run in one pass. A quadratic analysis of a 20,000-line file
/// blows far past it.
const WORK_PER_STATEMENT: usize = 4;

fn statements(file: &LoweredFile) -> usize {
    file.functions.iter().flat_map(|f| &f.blocks).map(|b| b.stmts.len() + 1).sum()
}

fn check_linear(language: Language) {
    let text = large_file(language, 11, 20_000);
    assert!(text.lines().count() >= 20_000);
    let lowered = frontend::lower(language, &text);
    assert!(lowered.errors.is_empty(), "{:?}", lowered.errors.first());
    let ir = statements(&lowered);
    let run = [(&lowered, language)];
    let (facts, work) = analyze_run_measured(&run[..], &Catalog::builtin());
    assert!(!facts[0].leaks.is_empty(), "the generated file holds a leak");
    assert!(work.file_analyses <= 4, "{} analyses of one file", work.file_analyses);
    assert!(
        work.statements <= WORK_PER_STATEMENT * ir,
        "{} statements run for {ir} in the IR",
        work.statements
    );
}

/// One endless loop whose body branches thousands of times: finding which loop heads a process
/// can leave walks the loop's edges once (sweeping them until nothing changed was quadratic,
/// 1.8 s for 4,000 branches).
#[test]
fn a_loop_with_thousands_of_branches_is_linear_in_its_ir() {
    let mut text = String::from("int work(int x);\nvoid serve(int fd) {\n    for (;;) {\n");
    for i in 0..3_000 {
        text.push_str(&format!("        if (work({i}) == {i}) {{ work(fd); }}\n"));
    }
    text.push_str("        if (work(-1) < 0) { _exit(0); }\n    }\n}\n");
    let lowered = frontend::lower(Language::C, &text);
    assert!(lowered.errors.is_empty(), "{:?}", lowered.errors.first());
    let ir = statements(&lowered);
    let run = [(&lowered, Language::C)];
    let (_, work) = analyze_run_measured(&run[..], &Catalog::builtin());
    assert!(
        work.statements <= WORK_PER_STATEMENT * ir,
        "{} statements and edges for {ir} in the IR",
        work.statements
    );
}

#[test]
fn the_analysis_of_a_large_c_file_is_linear_in_its_ir() {
    check_linear(Language::C);
}

#[test]
fn the_analysis_of_a_large_rust_file_is_linear_in_its_ir() {
    check_linear(Language::Rust);
}

/// A folder under the system's temporary one, removed when dropped.
struct TempTree(PathBuf);

impl Drop for TempTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn concise_output(files: &[PathBuf], threads: usize, budget: usize) -> String {
    let catalog = Catalog::builtin();
    let reports = in_worker_pool(threads, || lint_paths_within(files, &catalog, budget, &|| {}));
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    write_reports(OutputFormat::Concise, &reports, &mut out, &mut errors, false).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn output_is_the_same_whatever_the_threads_and_the_ir_kept() {
    let root = std::env::temp_dir().join(format!("fdlint-scaling-{}", std::process::id()));
    let tree = TempTree(root);
    write_corpus(&tree.0, CorpusSpec { files: 48, seed: 3 }).unwrap();
    let (files, problems) = collect_files(std::slice::from_ref(&tree.0));
    assert!(problems.is_empty() && files.len() == 48);
    let expected = concise_output(&files, 1, IR_BUDGET_BYTES);
    assert!(expected.lines().count() >= 2, "the corpus has leaks: {expected}");
    for (threads, budget) in [(2, IR_BUDGET_BYTES), (3, 0), (2, 100_000)] {
        let output = concise_output(&files, threads, budget);
        assert_eq!(output, expected, "{threads} threads, {budget} bytes of IR kept");
    }
}
