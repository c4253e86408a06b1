//! `--statistics`: how many findings each lint made, most first, as ruff prints them.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostics::Applicability;
use crate::driver::FileReport;

#[derive(Serialize)]
struct LintCount<'a> {
    code: &'a str,
    name: &'a str,
    count: usize,
    /// Some of the findings carry a safe fix, one `--fix` applies.
    fixable: bool,
}

pub fn write(reports: &[FileReport], json: bool, out: &mut dyn Write) -> io::Result<()> {
    let counts = count(reports);
    if json {
        serde_json::to_writer_pretty(&mut *out, &counts)?;
        return out.write_all(b"\n");
    }
    let width = counts.iter().map(|c| c.count.to_string().len()).max().unwrap_or(1);
    for lint in &counts {
        let fixable = if lint.fixable { "[*] " } else { "" };
        writeln!(out, "{:>width$}\t{}\t{fixable}{}", lint.count, lint.code, lint.name)?;
    }
    Ok(())
}

fn count(reports: &[FileReport]) -> Vec<LintCount<'_>> {
    let mut by_code: BTreeMap<&str, LintCount> = BTreeMap::new();
    for diagnostic in reports.iter().flat_map(super::shown) {
        let entry = by_code.entry(diagnostic.code).or_insert(LintCount {
            code: diagnostic.code,
            name: diagnostic.name,
            count: 0,
            fixable: false,
        });
        entry.count += 1;
        entry.fixable |=
            diagnostic.fixes.iter().any(|fix| fix.applicability == Applicability::Safe);
    }
    let mut counts: Vec<LintCount> = by_code.into_values().collect();
    // Most findings first; the code breaks ties, so the order is stable.
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    counts
}
