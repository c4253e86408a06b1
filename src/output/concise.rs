//! `path:line:col: FDL001 message`, a line per finding.

use std::io::{self, Write};

use crate::driver::FileReport;

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in super::shown(report) {
            let (line, column) = report.source.line_column(diagnostic.span.start);
            let path = report.source.display_path();
            writeln!(out, "{path}:{line}:{column}: {} {}", diagnostic.code, diagnostic.message)?;
        }
    }
    Ok(())
}
