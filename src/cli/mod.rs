//! The command line of `fdlint` (and, through `cargo`, of `cargo fdlint`): parsing, levels,
//! and the run from paths to exit status.

mod cargo;
mod progress;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use rayon::prelude::*;

use crate::atomic_write::write_atomically;
use crate::config::{FileGroup, Levels, Resolver};
use crate::diagnostics::{Applicability, Diagnostic, Level};
use crate::driver::{
    in_worker_pool, lint_paths, lint_paths_observed, lint_sources, read_source, FileReport,
};
use crate::fix::{diff_name, fix_paths, unified_diff, FileFix};
use crate::output::{
    render_config_error, write_reports_in, write_rules, write_statistics, CargoWorkspace,
    OutputFormat,
};
use crate::source::SourceFile;
use crate::suppress::add_allow::add_allows_settled;
use crate::{frontend, lints, walk};

pub use cargo::cargo_fdlint_main;

/// Finds connections leaked across fork() in C and Rust.
#[derive(Parser)]
#[command(
    name = "fdlint",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Exit status: 0 no finding at deny level, 1 findings at deny level, 2 a usage error or a file that does not exist.\nUse `fdlint explain FDL001` for a lint's explanation, `fdlint rules` for the list."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Files or folders to lint (.rs, .c, .h); folders respect .gitignore and skip target/.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Print a lint's explanation.
    Explain {
        /// The lint's code (FDL001) or name (fork_after_connect).
        lint: String,
    },
    /// List every lint.
    Rules {
        /// `json` for a JSON array; any other format prints a table.
        #[arg(long, value_enum, default_value = "human")]
        output_format: OutputFormat,
    },
    /// Run the language server over stdin and stdout (for editors).
    Lsp,
}

/// The flags `fdlint` and `cargo fdlint` share.
#[derive(clap::Args)]
struct CheckArgs {
    /// How to print the findings.
    #[arg(long, value_enum, default_value = "human", help_heading = "Output")]
    output_format: OutputFormat,
    /// Print how many findings each lint made instead of the findings.
    #[arg(long, help_heading = "Output")]
    statistics: bool,
    /// Treat a lint (code or name) as an error; `warnings` for every warning.
    #[arg(short = 'D', long = "deny", value_name = "LINT", help_heading = "Lint levels")]
    deny: Vec<String>,
    /// Report a lint (code or name) as a warning.
    #[arg(short = 'W', long = "warn", value_name = "LINT", help_heading = "Lint levels")]
    warn: Vec<String>,
    /// Turn a lint (code or name) off.
    #[arg(short = 'A', long = "allow", value_name = "LINT", help_heading = "Lint levels")]
    allow: Vec<String>,
    /// Exit 0 even when findings are at deny level.
    #[arg(long, help_heading = "Lint levels")]
    exit_zero: bool,
    /// Use this config file (fdlint.toml, or a Cargo.toml with fdlint metadata) for every
    /// file, instead of each file's nearest one.
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every config file.
    #[arg(long)]
    isolated: bool,
    /// Write an allow comment for every current finding, so that only new ones are reported.
    #[arg(long)]
    add_allow: bool,
    /// Print each function's IR (the control-flow graph) instead of linting; `=json` prints
    /// each file's IR whole, spans included, one JSON object a line.
    #[arg(
        long,
        hide_short_help = true,
        value_name = "FORMAT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "text"
    )]
    dump_ir: Option<IrFormat>,
    /// Apply the safe fixes, then report what is left.
    #[arg(long)]
    fix: bool,
    /// With `--fix` or `--diff`: the unsafe fixes too.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change, and change nothing (exit 1 when
    /// there is something to change).
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// `-A`, `-W` and `-D` in the order given on the command line: the last one wins.
    #[arg(skip)]
    level_flags: Vec<(String, Level)>,
}

/// `fdlint ARGS`: `args` starts with the program's name.
pub fn fdlint_main(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let matches = Cli::command().get_matches_from(args);
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    cli.check.level_flags = level_flags_in_order(&matches);
    match cli.command {
        Some(Command::Explain { lint }) => explain(&lint),
        Some(Command::Rules { output_format }) => rules(output_format),
        Some(Command::Lsp) => lsp(),
        None => {
            let (files, walk_problems) = walk::collect_files(&cli.paths);
            check(Run { files, walk_problems, workspace: CargoWorkspace::default() }, cli.check)
        }
    }
}

fn lsp() -> ExitCode {
    match crate::lsp::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: fdlint lsp: {error}");
            ExitCode::from(2)
        }
    }
}

fn explain(code_or_name: &str) -> ExitCode {
    let Some(lint) = lints::find(code_or_name) else {
        eprintln!("error: no lint named `{code_or_name}`; `fdlint rules` lists them");
        return ExitCode::from(2);
    };
    println!(
        "# {} `{}`\n\n{}\n\n{}",
        lint.code,
        lint.name,
        lint.summary,
        lint.explanation.trim_end()
    );
    ExitCode::SUCCESS
}

fn rules(format: OutputFormat) -> ExitCode {
    finish_output(write_rules(format, &mut std::io::stdout().lock())).unwrap_or(ExitCode::SUCCESS)
}

/// What to lint: the files found, the paths that could not be walked, and the cargo packages
/// the files belong to.
struct Run {
    files: Vec<PathBuf>,
    walk_problems: Vec<String>,
    workspace: CargoWorkspace,
}

fn check(run: Run, args: CheckArgs) -> ExitCode {
    let Run { files, walk_problems, workspace } = run;
    let levels = match Levels::from_flags(&args.level_flags) {
        Ok(levels) => levels,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let resolver = if args.isolated {
        Ok(Resolver::isolated())
    } else if let Some(path) = &args.config {
        Resolver::fixed(path).map_err(|error| vec![error])
    } else {
        Ok(Resolver::discover())
    };
    for problem in &walk_problems {
        eprintln!("error: {problem}");
    }
    if let Some(format) = args.dump_ir {
        return dump_ir(&files, format);
    }
    let groups = match resolver.and_then(|mut resolver| resolver.group(&files)) {
        Ok(groups) => groups,
        Err(errors) => return config_errors(&errors),
    };
    let most = if args.unsafe_fixes { Applicability::Unsafe } else { Applicability::Safe };
    let mut reports: Vec<FileReport> = Vec::new();
    let mut fixes: Vec<FileFix> = Vec::new();
    // `--add-allow` alone lints the files itself, below.
    let allow_only = args.add_allow && !args.fix;
    let bar = progress::wanted(files.len(), std::io::stderr().is_terminal(), progress::in_ci())
        .then(|| progress::bar(files.len()))
        .filter(|_| !allow_only);
    for group in &groups {
        let catalog = group.catalog();
        let keep = |report: &mut FileReport| {
            levels.apply(group.config.as_deref(), &mut report.diagnostics)
        };
        if args.fix || args.diff {
            let run = in_worker_pool(0, || fix_paths(&group.files, &catalog, most, &keep));
            reports.extend(run.reports);
            fixes.extend(run.files);
        } else if !allow_only {
            let mut group_reports = in_worker_pool(0, || match &bar {
                Some(bar) => lint_paths_observed(&group.files, &catalog, &|| bar.inc(1)),
                None => lint_paths(&group.files, &catalog),
            });
            group_reports.iter_mut().for_each(keep);
            reports.extend(group_reports);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    if args.diff {
        return show_diff(&fixes);
    }
    if args.fix && !apply_fixes(&fixes) {
        return ExitCode::from(2);
    }
    if args.add_allow {
        // After `--fix` wrote its fixes, so the comments go into the fixed text.
        return add_allow(&groups, &levels);
    }
    let color = args.output_format == OutputFormat::Human && std::io::stdout().is_terminal();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let written = if args.statistics {
        write_statistics(args.output_format, &reports, &mut stdout, &mut stderr)
    } else {
        write_reports_in(args.output_format, &reports, &workspace, &mut stdout, &mut stderr, color)
    };
    if let Some(failed) = finish_output(written) {
        return failed;
    }
    if args.fix {
        let count: usize = fixes.iter().map(|file| file.fixed_findings).sum();
        let left = reports.iter().flat_map(|r| &r.diagnostics).filter(|d| d.suppressed.is_none());
        let _ =
            writeln!(stderr, "fdlint: fixed {count} {}, {} left", findings(count), left.count());
    }
    let denied = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.level == Level::Deny && d.suppressed.is_none());
    let internal_error = reports.iter().flat_map(|r| &r.problems).any(|p| p.internal);
    if !walk_problems.is_empty() || internal_error {
        ExitCode::from(2)
    } else if denied && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `Some(exit status)` when the output could not be written.
fn finish_output(written: std::io::Result<()>) -> Option<ExitCode> {
    match written {
        Ok(()) => None,
        // A reader that stops early (`| head`) is not a failure of the run.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => None,
        Err(error) => {
            eprintln!("error: cannot write the output: {error}");
            Some(ExitCode::from(2))
        }
    }
}

/// `--diff`: what `--fix` would change, on stdout; exit 1 when it would change something.
fn show_diff(fixes: &[FileFix]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    for file in fixes {
        report_failed_fixes(file);
        let diff = unified_diff(&diff_name(&file.path), &file.original, &file.fixed);
        if stdout.write_all(diff.as_bytes()).is_err() {
            break;
        }
    }
    let count: usize = fixes.iter().map(|file| file.fixed_findings).sum();
    eprintln!("fdlint: would fix {count} {}", findings(count));
    if fixes.iter().any(FileFix::changed) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--fix`: writes every changed file; false when one could not be written.
fn apply_fixes(fixes: &[FileFix]) -> bool {
    let mut written = true;
    for file in fixes {
        report_failed_fixes(file);
        if !file.changed() {
            continue;
        }
        let Some(bytes) = file.fixed_bytes() else {
            eprintln!("error: {}: cannot write the fixes back as Latin-1", diff_name(&file.path));
            written = false;
            continue;
        };
        if let Err(error) = write_atomically(&file.path, &bytes) {
            eprintln!("error: {}: cannot write the fixes: {error}", diff_name(&file.path));
            written = false;
        }
    }
    written
}

fn findings(count: usize) -> &'static str {
    if count == 1 {
        "finding"
    } else {
        "findings"
    }
}

fn report_failed_fixes(file: &FileFix) {
    for title in &file.failed {
        eprintln!(
            "error: {}: fix `{title}` not applied: it would break the file's syntax or leave \
             its finding in place",
            diff_name(&file.path)
        );
    }
}

/// The `-A`/`-W`/`-D` values with their levels, sorted by where they appear on the command line.
fn level_flags_in_order(matches: &ArgMatches) -> Vec<(String, Level)> {
    let mut flags = Vec::new();
    for (id, level) in [("allow", Level::Allow), ("warn", Level::Warn), ("deny", Level::Deny)] {
        let (Some(indices), Ok(Some(values))) =
            (matches.indices_of(id), matches.try_get_many::<String>(id))
        else {
            continue;
        };
        flags.extend(indices.zip(values).map(|(index, value)| (index, value.clone(), level)));
    }
    flags.sort_by_key(|(index, _, _)| *index);
    flags.into_iter().map(|(_, value, level)| (value, level)).collect()
}

/// `--add-allow`: reads each group's files and lints them as a run, adding the allow comments
/// until nothing more is added (`add_allows_settled`), then writes the files that changed.
fn add_allow(groups: &[FileGroup], levels: &Levels) -> ExitCode {
    let (mut comments, mut files, mut failed) = (0, 0, false);
    for group in groups {
        let catalog = group.catalog();
        let lint = |sources: &[SourceFile]| -> Vec<Vec<Diagnostic>> {
            let reports = lint_sources(sources.to_vec(), &catalog);
            let mut findings: Vec<Vec<Diagnostic>> =
                reports.into_iter().map(|report| report.diagnostics).collect();
            for diagnostics in &mut findings {
                levels.apply(group.config.as_deref(), diagnostics);
            }
            findings
        };
        let (sources, results) = in_worker_pool(0, || {
            // A file that cannot be read has nothing to allow.
            let sources: Vec<SourceFile> =
                group.files.par_iter().filter_map(|path| read_source(path)?.ok()).collect();
            let results = add_allows_settled(sources.clone(), lint);
            (sources, results)
        });
        for (source, result) in sources.iter().zip(results) {
            let (text, added) = match result {
                Ok(Some(added)) => added,
                Ok(None) => continue,
                Err(problem) => {
                    eprintln!("error: {}: {problem}", source.display_path());
                    failed = true;
                    continue;
                }
            };
            let Some(bytes) = source.encode(&text) else {
                eprintln!("error: {}: cannot write back as Latin-1", source.display_path());
                failed = true;
                continue;
            };
            match write_atomically(&source.path, &bytes) {
                Ok(()) => (comments, files) = (comments + added, files + 1),
                Err(error) => {
                    eprintln!("error: {}: cannot write: {error}", source.display_path());
                    failed = true;
                }
            }
        }
    }
    eprintln!("fdlint: added {comments} allow comment(s) in {files} file(s)");
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn config_errors(errors: &[crate::config::ConfigError]) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = stderr.write_all(render_config_error(error, color).as_bytes());
    }
    ExitCode::from(2)
}

/// How `--dump-ir` prints: as people read it, or whole for tools (comparing the IR of two
/// builds of fdlint, spans included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum IrFormat {
    Text,
    Json,
}

fn dump_ir(files: &[PathBuf], format: IrFormat) -> ExitCode {
    let mut out = std::io::stdout().lock();
    for path in files {
        let source = match crate::driver::read_source(path) {
            Some(Ok(source)) => source,
            _ => {
                eprintln!("error: {}: cannot read", path.display());
                continue;
            }
        };
        let lowered = frontend::lower(source.language, &source.text);
        let written = match format {
            IrFormat::Text => writeln!(out, "// {}\n{}", path.display(), lowered),
            IrFormat::Json => {
                let line = serde_json::json!({ "path": path, "ir": lowered });
                writeln!(out, "{line}")
            }
        };
        // A closed pipe (`| head`) ends the dump quietly, as it does for any Unix tool.
        if written.is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}
