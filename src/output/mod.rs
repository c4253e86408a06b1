//! Outputs: each turns the reports into its own format. Only this layer serialises.

mod concise;
mod config_error;
mod human;
mod json;

use std::io::{self, Write};

use clap::ValueEnum;

use crate::driver::FileReport;

pub use config_error::render_config_error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// rustc-like reports with the source, labels and help
    Human,
    /// one line per finding: `path:line:col: CODE message`
    Concise,
    /// JSON Lines, one object per finding
    Json,
}

/// Writes the findings of every report; problems with files go to `errors` (stderr).
pub fn write_reports(
    format: OutputFormat,
    reports: &[FileReport],
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
    }
}
