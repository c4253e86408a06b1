//! GitHub Actions workflow commands: `::warning file=…,line=…::message`, which the runner turns
//! into annotations on the pull request's diff.

use std::io::{self, Write};

use crate::diagnostics::Level;
use crate::driver::FileReport;

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in super::shown(report) {
            let ((line, column), (end_line, end_column)) = report.source.range(diagnostic.span);
            let command = match diagnostic.level {
                Level::Deny => "error",
                _ => "warning",
            };
            writeln!(
                out,
                "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
                escape_property(&report.source.display_path()),
                escape_property(diagnostic.code),
                escape_data(&diagnostic.message),
            )?;
        }
    }
    Ok(())
}

/// The message part: GitHub decodes `%25`, `%0D` and `%0A`.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value also cannot hold the `,` and `:` that separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner_s_rules() {
        assert_eq!(escape_data("50% of\r\nit: a, b"), "50%25 of%0D%0Ait: a, b");
        assert_eq!(escape_property("C:\\a,b%.c"), "C%3A\\a%2Cb%25.c");
    }
}
