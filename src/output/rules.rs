//! `fdlint rules`: the catalog of lints, as a table or as JSON.

use std::io::{self, Write};

use serde::Serialize;

use crate::lints::{self, Lint};

#[derive(Serialize)]
struct Rule<'a> {
    code: &'a str,
    name: &'a str,
    default_level: &'a str,
    summary: &'a str,
    cwe: Vec<String>,
    fixes: &'a [String],
    explanation: &'a str,
}

pub fn write(json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        let rules: Vec<Rule> = lints::registry().iter().map(rule).collect();
        serde_json::to_writer_pretty(&mut *out, &rules)?;
        return out.write_all(b"\n");
    }
    for lint in lints::registry() {
        writeln!(
            out,
            "{}  {:<32} {:<5}  {}",
            lint.code,
            lint.name,
            lint.level.config_name(),
            lint.summary
        )?;
    }
    Ok(())
}

fn rule(lint: &Lint) -> Rule<'_> {
    Rule {
        code: &lint.code,
        name: &lint.name,
        default_level: lint.level.config_name(),
        summary: &lint.summary,
        cwe: lint.cwe.iter().map(|n| format!("CWE-{n}")).collect(),
        fixes: &lint.fixes,
        explanation: &lint.explanation,
    }
}
