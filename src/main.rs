//! The `fdlint` command.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use fdlint::catalog::Catalog;
use fdlint::config::Config;
use fdlint::diagnostics::Level;
use fdlint::driver::{lint_paths, FileReport};
use fdlint::output::{write_reports, OutputFormat};
use fdlint::{frontend, lints, source, walk};

/// Finds connections leaked across fork() in C and Rust.
#[derive(Parser)]
#[command(name = "fdlint", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
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
    Rules,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or folders to lint (.rs, .c, .h).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    output_format: OutputFormat,
    /// Treat a lint (code or name) as an error; `warnings` for every warning.
    #[arg(short = 'D', long = "deny", value_name = "LINT")]
    deny: Vec<String>,
    /// Report a lint (code or name) as a warning.
    #[arg(short = 'W', long = "warn", value_name = "LINT")]
    warn: Vec<String>,
    /// Turn a lint (code or name) off.
    #[arg(short = 'A', long = "allow", value_name = "LINT")]
    allow: Vec<String>,
    /// Exit 0 even when findings are at deny level.
    #[arg(long)]
    exit_zero: bool,
    /// Print each function's IR (the control-flow graph) instead of linting.
    #[arg(long)]
    dump_ir: bool,
    /// `-A`, `-W` and `-D` in the order given on the command line: the last one wins.
    #[arg(skip)]
    level_flags: Vec<(String, Level)>,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    cli.check.level_flags = level_flags_in_order(&matches);
    match cli.command {
        Some(Command::Explain { lint }) => explain(&lint),
        Some(Command::Rules) => rules(),
        None => check(cli.check),
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

fn rules() -> ExitCode {
    for lint in lints::registry() {
        println!(
            "{}  {:<32} {:<5}  {}",
            lint.code,
            lint.name,
            lint.level.config_name(),
            lint.summary
        );
    }
    ExitCode::SUCCESS
}

fn check(args: CheckArgs) -> ExitCode {
    let levels = match resolve_levels(&args) {
        Ok(levels) => levels,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let (files, walk_problems) = walk::collect_files(&args.paths);
    for problem in &walk_problems {
        eprintln!("error: {problem}");
    }
    if args.dump_ir {
        return dump_ir(&files);
    }
    let catalog = Catalog::builtin();
    let mut reports: Vec<FileReport> = lint_paths(&files, &catalog);
    for report in &mut reports {
        report.diagnostics.retain_mut(|diagnostic| {
            diagnostic.level = levels.level_of(diagnostic.code, diagnostic.name, diagnostic.level);
            diagnostic.level != Level::Allow
        });
    }
    let color = args.output_format == OutputFormat::Human && std::io::stdout().is_terminal();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    match write_reports(args.output_format, &reports, &mut stdout, &mut stderr, color) {
        Ok(()) => {}
        // A reader that stops early (`| head`) is not a failure of the run.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => {
            let _ = writeln!(stderr, "error: cannot write the output: {error}");
            return ExitCode::from(2);
        }
    }
    let denied = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.level == Level::Deny && d.suppressed.is_none());
    if !walk_problems.is_empty() {
        ExitCode::from(2)
    } else if denied && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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

/// Levels from the command line over `fdlint.toml` over the lints' defaults.
struct Levels {
    config: Config,
    command_line: Vec<(String, Level)>,
    deny_warnings: bool,
}

impl Levels {
    fn level_of(&self, code: &str, name: &str, default: Level) -> Level {
        let matches = |key: &str| key.eq_ignore_ascii_case(code) || key.eq_ignore_ascii_case(name);
        let from_cli =
            self.command_line.iter().rev().find(|(key, _)| matches(key)).map(|(_, l)| *l);
        let level = from_cli.or_else(|| self.config.level(code, name)).unwrap_or(default);
        if self.deny_warnings && level == Level::Warn {
            Level::Deny
        } else {
            level
        }
    }
}

fn resolve_levels(args: &CheckArgs) -> Result<Levels, String> {
    let start = args.paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let config = match Config::discover(&start) {
        Ok(found) => found.map(|(_, config)| config).unwrap_or_default(),
        Err(error) => return Err(format!("{}:{}", error.path.display(), error.message)),
    };
    let mut command_line = Vec::new();
    let mut deny_warnings = false;
    for (name, level) in &args.level_flags {
        if *level == Level::Deny && name == "warnings" {
            deny_warnings = true;
        } else if lints::find(name).is_none() {
            return Err(format!("unknown lint `{name}`; `fdlint rules` lists them"));
        } else {
            command_line.push((name.clone(), *level));
        }
    }
    Ok(Levels { config, command_line, deny_warnings })
}

fn dump_ir(files: &[PathBuf]) -> ExitCode {
    for path in files {
        let (Some(language), Ok(text)) = (source::language_of(path), std::fs::read_to_string(path))
        else {
            eprintln!("error: {}: cannot read", path.display());
            continue;
        };
        println!("// {}\n{}", path.display(), frontend::lower(language, &text));
    }
    ExitCode::SUCCESS
}
