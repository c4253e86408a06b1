//! Outputs: each turns the reports into its own format. Only this layer serialises.

mod cargo_json;
mod concise;
mod config_error;
mod github;
mod human;
mod json;
mod rules;
mod sarif;
mod statistics;

use std::io::{self, Write};

use clap::ValueEnum;

pub use cargo_json::CargoWorkspace;

use crate::diagnostics::Diagnostic;
use crate::driver::FileReport;

pub use config_error::render_config_error;

/// Every output format: the single list the command line offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// rustc-like reports with the source, labels and help
    Human,
    /// one line per finding: `path:line:col: CODE message`
    Concise,
    /// JSON Lines, one object per finding
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands, shown as annotations on the diff
    Github,
    /// cargo's `--message-format=json` lines, for rust-analyzer's `check.overrideCommand`
    CargoJson,
}

/// Writes the findings of every report; problems with files go to `errors` (stderr).
pub fn write_reports(
    format: OutputFormat,
    reports: &[FileReport],
    out: &mut dyn Write,
    errors: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    write_reports_in(format, reports, &CargoWorkspace::default(), out, errors, color)
}

/// As `write_reports`, with the cargo workspace the files belong to (`cargo fdlint`).
pub fn write_reports_in(
    format: OutputFormat,
    reports: &[FileReport],
    workspace: &CargoWorkspace,
    out: &mut dyn Write,
    errors: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    for report in reports {
        human::write_problems(report, errors, color)?;
    }
    match format {
        OutputFormat::Human => human::write(reports, out, color),
        OutputFormat::Concise => concise::write(reports, out),
        OutputFormat::Json => json::write(reports, out),
        OutputFormat::Sarif => sarif::write(reports, out),
        OutputFormat::Github => github::write(reports, out),
        OutputFormat::CargoJson => cargo_json::write(reports, workspace, out),
    }
}

/// `--statistics`: counts by lint instead of the findings; JSON for `json`, a table otherwise.
pub fn write_statistics(
    format: OutputFormat,
    reports: &[FileReport],
    out: &mut dyn Write,
    errors: &mut dyn Write,
) -> io::Result<()> {
    for report in reports {
        human::write_problems(report, errors, false)?;
    }
    statistics::write(reports, format == OutputFormat::Json, out)
}

/// `fdlint rules`: JSON for `json`, a table otherwise.
pub fn write_rules(format: OutputFormat, out: &mut dyn Write) -> io::Result<()> {
    rules::write(format == OutputFormat::Json, out)
}

/// The findings a format shows: all but those an allow comment silenced (SARIF alone keeps
/// those, marked).
fn shown(report: &FileReport) -> impl Iterator<Item = &Diagnostic> {
    report.diagnostics.iter().filter(|diagnostic| diagnostic.suppressed.is_none())
}
