//! `fdlint-bench [DIR]`: how the whole pipeline compares with parsing the same files alone.
//!
//! Each phase (read only, parse only, the full pipeline) runs in a child process of its own,
//! so its peak memory is its own; each child walks the tree first (not timed), then times
//! its phase over every file on a worker pool of the given size. Without DIR a synthetic
//! corpus is generated into a temporary folder and removed afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use clap::Parser;
use rayon::prelude::*;

use fdlint::catalog::Catalog;
use fdlint::corpus::{write_corpus, CorpusSpec};
use fdlint::driver::{in_worker_pool, lint_paths_within, read_source, IR_BUDGET_BYTES};
use fdlint::{frontend, walk};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Times fdlint against parsing alone, on one core and on all.
#[derive(Parser)]
#[command(name = "fdlint-bench")]
struct Args {
    /// A tree to measure; without it, a synthetic corpus is generated.
    dir: Option<PathBuf>,
    /// Files in the synthetic corpus (half C, half Rust).
    #[arg(long, default_value_t = 5000)]
    files: usize,
    /// Seed of the synthetic corpus.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only write the synthetic corpus into this folder, and measure nothing.
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    generate: Option<PathBuf>,
    /// Runs of each phase; the fastest counts (the machine may be shared).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// IR the full pipeline may keep between analysis rounds, in MiB, and as much text; a
    /// quarter more for IR lowered ahead, and as much for the parts reports read (default:
    /// fdlint's).
    #[arg(long)]
    ir_budget_mb: Option<usize>,
    /// Threads for "all cores" (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Internal: run one phase in this process and print its measurement.
    #[arg(long, hide = true, value_enum, requires = "dir")]
    phase: Option<Phase>,
    /// Internal: the worker pool's size for `--phase`.
    #[arg(long, hide = true, default_value_t = 1)]
    phase_threads: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Phase {
    Read,
    Parse,
    /// Parsing and lowering to IR, without the analysis: splits the full pipeline's cost
    /// between the frontends and the rest.
    Lower,
    Full,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::Read => "read only",
            Phase::Parse => "parse only",
            Phase::Lower => "parse and lower",
            Phase::Full => "full pipeline",
        }
    }
}

/// What one phase measured in its child process.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    seconds: f64,
    peak_kib: u64,
    files: usize,
    lines: usize,
    bytes: usize,
    /// Findings (full pipeline) or files that failed to parse (parse only).
    count: usize,
}

fn main() -> ExitCode {
    fdlint::allocator::tune();
    let args = Args::parse();
    if let (Some(phase), Some(dir)) = (args.phase, &args.dir) {
        let measure = run_phase(phase, args.phase_threads, dir, ir_budget(&args));
        println!(
            "{} {} {} {} {} {}",
            measure.seconds,
            measure.peak_kib,
            measure.files,
            measure.lines,
            measure.bytes,
            measure.count
        );
        return ExitCode::SUCCESS;
    }
    if let Some(dir) = &args.generate {
        let spec = CorpusSpec { files: args.files, seed: args.seed };
        return match write_corpus(dir, spec) {
            Ok(stats) => {
                println!(
                    "{}: {} files, {} lines, {} bytes",
                    dir.display(),
                    stats.files,
                    stats.lines,
                    stats.bytes
                );
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: cannot write the corpus: {error}");
                ExitCode::from(2)
            }
        };
    }
    match bench(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn bench(args: &Args) -> Result<(), String> {
    let cores = args.threads.unwrap_or_else(rayon::current_num_threads).max(1);
    let (dir, generated) = match &args.dir {
        Some(dir) => (dir.clone(), None),
        None => {
            let dir = std::env::temp_dir().join(format!("fdlint-bench-{}", std::process::id()));
            let spec = CorpusSpec { files: args.files, seed: args.seed };
            write_corpus(&dir, spec).map_err(|e| format!("cannot write the corpus: {e}"))?;
            (dir.clone(), Some(dir))
        }
    };
    let result = measure_all(args, &dir, cores, ir_budget(args));
    if let Some(dir) = generated {
        let _ = std::fs::remove_dir_all(dir);
    }
    let rows = result?;
    print_table(args, &dir, cores, &rows);
    Ok(())
}

/// Every phase, alternated run by run so a burst of load elsewhere hits them alike.
fn measure_all(
    args: &Args,
    dir: &Path,
    cores: usize,
    budget: usize,
) -> Result<Vec<(Phase, usize, Measure)>, String> {
    let mut plan = vec![(Phase::Read, cores), (Phase::Parse, 1), (Phase::Parse, cores)];
    plan.extend([(Phase::Lower, 1), (Phase::Full, 1), (Phase::Full, cores)]);
    let mut best: Vec<Option<Measure>> = vec![None; plan.len()];
    for _ in 0..args.runs.max(1) {
        for (slot, (phase, threads)) in plan.iter().enumerate() {
            let measure = run_child(*phase, *threads, dir, budget)?;
            best[slot] = Some(match best[slot] {
                Some(known) if known.seconds <= measure.seconds => {
                    Measure { peak_kib: known.peak_kib.max(measure.peak_kib), ..known }
                }
                Some(known) => {
                    Measure { peak_kib: known.peak_kib.max(measure.peak_kib), ..measure }
                }
                None => measure,
            });
        }
    }
    Ok(plan
        .into_iter()
        .zip(best)
        .map(|((phase, threads), m)| (phase, threads, m.unwrap_or_default()))
        .collect())
}

fn run_child(phase: Phase, threads: usize, dir: &Path, budget: usize) -> Result<Measure, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let phase_name = match phase {
        Phase::Read => "read",
        Phase::Parse => "parse",
        Phase::Lower => "lower",
        Phase::Full => "full",
    };
    let output = Command::new(exe)
        .arg("--phase")
        .arg(phase_name)
        .arg("--phase-threads")
        .arg(threads.to_string())
        .arg("--ir-budget-mb")
        .arg((budget >> 20).to_string())
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run a phase: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    if !output.status.success() || fields.len() != 6 {
        return Err(format!(
            "the {} phase failed: {}",
            phase.label(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let number = |i: usize| fields[i].parse::<f64>().unwrap_or(f64::NAN);
    Ok(Measure {
        seconds: number(0),
        peak_kib: number(1) as u64,
        files: number(2) as usize,
        lines: number(3) as usize,
        bytes: number(4) as usize,
        count: number(5) as usize,
    })
}

fn ir_budget(args: &Args) -> usize {
    args.ir_budget_mb.map_or(IR_BUDGET_BYTES, |megabytes| megabytes.saturating_mul(1 << 20))
}

/// Runs one phase here; the file list is walked before the clock starts.
fn run_phase(phase: Phase, threads: usize, dir: &Path, budget: usize) -> Measure {
    let (files, _) = walk::collect_files(&[dir.to_path_buf()]);
    let catalog = Catalog::builtin();
    let start = Instant::now();
    let mut measure = in_worker_pool(threads, || match phase {
        Phase::Read => read_and(&files, |_, _| 0),
        Phase::Parse => {
            read_and(&files, |language, text| usize::from(!frontend::parse_only(language, text)))
        }
        Phase::Lower => {
            read_and(&files, |language, text| frontend::lower(language, text).functions.len())
        }
        Phase::Full => {
            let reports = lint_paths_within(&files, &catalog, budget, &|| {});
            let findings = reports.iter().map(|r| r.diagnostics.len()).sum();
            Measure { files: files.len(), count: findings, ..Measure::default() }
        }
    });
    measure.seconds = start.elapsed().as_secs_f64();
    measure.peak_kib = peak_memory_kib();
    measure
}

/// Reads every file as the pipeline does and hands its text to `work`.
fn read_and(
    files: &[PathBuf],
    work: impl Fn(fdlint::ir::Language, &str) -> usize + Sync,
) -> Measure {
    files
        .par_iter()
        .filter_map(|path| read_source(path)?.ok())
        .map(|source| Measure {
            files: 1,
            lines: source.line_count(),
            bytes: source.text.len(),
            count: work(source.language, &source.text),
            ..Measure::default()
        })
        .reduce(Measure::default, |a, b| Measure {
            files: a.files + b.files,
            lines: a.lines + b.lines,
            bytes: a.bytes + b.bytes,
            count: a.count + b.count,
            ..a
        })
}

/// This process's peak resident set (VmHWM), in KiB; 0 where /proc is not there.
fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn print_table(args: &Args, dir: &Path, cores: usize, rows: &[(Phase, usize, Measure)]) {
    let read = rows[0].2;
    let corpus = match &args.dir {
        Some(_) => dir.display().to_string(),
        None => format!("synthetic corpus, seed {}", args.seed),
    };
    println!(
        "{corpus}: {} files, {} lines, {:.1} MB; best of {} runs; all cores = {cores} threads; \
         IR budget {} MiB\n",
        read.files,
        read.lines,
        read.bytes as f64 / 1e6,
        args.runs.max(1),
        ir_budget(args) >> 20
    );
    println!("| phase | threads | seconds | MB/s | peak memory (MiB) | notes |");
    println!("|---|---:|---:|---:|---:|---|");
    for (phase, threads, measure) in rows {
        let notes = match phase {
            Phase::Read => String::new(),
            Phase::Parse => format!("{} files did not parse", measure.count),
            Phase::Lower => format!("{} functions", measure.count),
            Phase::Full => format!("{} findings", measure.count),
        };
        println!(
            "| {} | {threads} | {:.3} | {:.1} | {:.1} | {notes} |",
            phase.label(),
            measure.seconds,
            read.bytes as f64 / 1e6 / measure.seconds,
            measure.peak_kib as f64 / 1024.0,
        );
    }
    let seconds = |phase: Phase, threads: usize| {
        rows.iter().find(|(p, t, _)| *p == phase && *t == threads).map_or(f64::NAN, |r| r.2.seconds)
    };
    println!();
    println!("| ratio | value |");
    println!("|---|---:|");
    println!(
        "| full / parse only, 1 thread | {:.2} |",
        seconds(Phase::Full, 1) / seconds(Phase::Parse, 1)
    );
    println!(
        "| parse and lower / parse only, 1 thread | {:.2} |",
        seconds(Phase::Lower, 1) / seconds(Phase::Parse, 1)
    );
    println!(
        "| full / parse only, {cores} threads | {:.2} |",
        seconds(Phase::Full, cores) / seconds(Phase::Parse, cores)
    );
    println!(
        "| speed-up of the full pipeline, {cores} threads vs 1 | {:.2} |",
        seconds(Phase::Full, 1) / seconds(Phase::Full, cores)
    );
    println!(
        "| speed-up of parsing, {cores} threads vs 1 | {:.2} |",
        seconds(Phase::Parse, 1) / seconds(Phase::Parse, cores)
    );
}
