//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, through the `serde-sarif`
//! types generated from the official schema. One run: the rules with their help, every finding
//! (silenced ones too, marked with `suppressions`), related locations for the labels, the
//! fixes as replacements, and the files fdlint could not read as notifications.

use std::io::{self, Write};
use std::path::Path;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix as SarifFix, Invocation, Location,
    Message, MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    Replacement, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel,
    Run, Sarif, Suppression, Tool, ToolComponent,
};

use crate::diagnostics::{Diagnostic, Fix, Label, Level};
use crate::driver::FileReport;
use crate::ir::Span;
use crate::lints::{self, Lint};
use crate::source::SourceFile;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_sarif(reports))?;
    out.write_all(b"\n")
}

fn to_sarif(reports: &[FileReport]) -> Sarif {
    let results = reports
        .iter()
        .flat_map(|report| report.diagnostics.iter().map(|d| result(&report.source, d)))
        .collect::<Vec<_>>();
    let notifications = reports.iter().flat_map(notifications).collect::<Vec<_>>();
    let mut invocation = Invocation::builder().execution_successful(true).build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let run = Run::builder()
        .tool(Tool::builder().driver(driver()).build())
        .results(results)
        .invocations(vec![invocation])
        // fdlint counts columns in characters, SARIF's default is UTF-16 code units.
        .column_kind(json!("unicodeCodePoints"))
        .build();
    Sarif::builder().schema(SCHEMA).version(json!("2.1.0")).runs(vec![run]).build()
}

fn driver() -> ToolComponent {
    ToolComponent::builder()
        .name("fdlint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .short_description(text(env!("CARGO_PKG_DESCRIPTION")))
        .rules(lints::registry().iter().map(rule).collect::<Vec<_>>())
        .build()
}

fn rule(lint: &Lint) -> ReportingDescriptor {
    let help = MultiformatMessageString::builder()
        .text(lint.explanation.trim_end())
        .markdown(lint.explanation.trim_end())
        .build();
    let configuration = ReportingConfiguration::builder()
        .enabled(lint.level != Level::Allow)
        .level(json!(result_level(lint.level)))
        .build();
    ReportingDescriptor::builder()
        .id(lint.code.as_str())
        .name(lint.name.as_str())
        .short_description(text(&lint.summary))
        .full_description(text(&lint.summary))
        .help(help)
        .default_configuration(configuration)
        .properties(PropertyBag::builder().tags(tags(lint)).build())
        .build()
}

/// GitHub code scanning reads CWE identifiers from `external/cwe/cwe-N` tags; a lint with a
/// CWE is a security finding, one without (unused allow comments) is not.
fn tags(lint: &Lint) -> Vec<String> {
    let security = (!lint.cwe.is_empty()).then(|| "security".to_string());
    let cwes = lint.cwe.iter().map(|n| format!("external/cwe/cwe-{n}"));
    security.into_iter().chain(cwes).collect()
}

fn result(source: &SourceFile, diagnostic: &Diagnostic) -> SarifResult {
    let rule_index = lints::registry().iter().position(|lint| lint.code == diagnostic.code);
    let related = diagnostic
        .labels
        .iter()
        .enumerate()
        .map(|(id, label)| {
            Location::builder()
                .id(id as i64)
                .physical_location(label_location(source, label))
                .message(text_message(&label.message))
                .build()
        })
        .collect::<Vec<_>>();
    let mut result = SarifResult::builder()
        .rule_id(diagnostic.code)
        .level(result_level_enum(diagnostic.level))
        .message(text_message(&diagnostic.message))
        .locations(vec![Location::builder()
            .physical_location(physical(source, diagnostic.span))
            .build()])
        .build();
    result.rule_index = rule_index.map(|index| index as i64);
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if !diagnostic.fixes.is_empty() {
        result.fixes = Some(diagnostic.fixes.iter().map(|fix| sarif_fix(source, fix)).collect());
    }
    if let Some(suppression) = &diagnostic.suppressed {
        result.suppressions = Some(vec![Suppression::builder()
            .kind(json!("inSource"))
            .location(
                Location::builder().physical_location(physical(source, suppression.span)).build(),
            )
            .build()]);
    }
    result
}

fn sarif_fix(source: &SourceFile, fix: &Fix) -> SarifFix {
    let replacements = fix
        .edits
        .iter()
        .map(|edit| {
            Replacement::builder()
                .deleted_region(byte_region(edit.span))
                .inserted_content(
                    ArtifactContent::builder().text(edit.replacement.as_str()).build(),
                )
                .build()
        })
        .collect::<Vec<_>>();
    let change = ArtifactChange::builder()
        .artifact_location(artifact(&source.path))
        .replacements(replacements)
        .build();
    SarifFix::builder().description(text_message(&fix.title)).artifact_changes(vec![change]).build()
}

/// Files fdlint could not read or parse in full.
fn notifications(report: &FileReport) -> Vec<Notification> {
    report
        .problems
        .iter()
        .map(|problem| {
            let location = match problem.span {
                Some(span) => physical(&report.source, span),
                None => PhysicalLocation::builder()
                    .artifact_location(artifact(&report.source.path))
                    .build(),
            };
            Notification::builder()
                .level(json!(if problem.recovered { "note" } else { "error" }))
                .message(text_message(&problem.message))
                .locations(vec![Location::builder().physical_location(location).build()])
                .build()
        })
        .collect()
}

/// A label's place: in the finding's file, or in another file of the run.
fn label_location(source: &SourceFile, label: &Label) -> PhysicalLocation {
    let Some(place) = &label.elsewhere else { return physical(source, label.span) };
    let region = Region::builder()
        .start_line(place.line as i64)
        .start_column(place.column as i64)
        .end_line(place.end_line as i64)
        .end_column(place.end_column as i64)
        .build();
    PhysicalLocation::builder().artifact_location(artifact(&place.path)).region(region).build()
}

fn physical(source: &SourceFile, span: Span) -> PhysicalLocation {
    let ((line, column), (end_line, end_column)) = source.range(span);
    let region = Region::builder()
        .start_line(line as i64)
        .start_column(column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .build();
    PhysicalLocation::builder().artifact_location(artifact(&source.path)).region(region).build()
}

/// Edits address bytes: a replacement's region is the byte range it deletes.
fn byte_region(span: Span) -> Region {
    Region::builder()
        .byte_offset(span.start as i64)
        .byte_length(span.end.saturating_sub(span.start) as i64)
        .build()
}

fn artifact(path: &Path) -> ArtifactLocation {
    ArtifactLocation::builder().uri(uri(path)).build()
}

/// A relative path becomes a relative URI reference (code scanning resolves it against the
/// checkout); an absolute one a `file://` URI.
fn uri(path: &Path) -> String {
    let encoded = percent_encode(&crate::source::display_path(path));
    if path.is_absolute() {
        let rooted = if encoded.starts_with('/') { encoded } else { format!("/{encoded}") };
        format!("file://{rooted}")
    } else {
        encoded
    }
}

/// Percent-encodes every byte a URI path segment cannot hold as it is, keeping `/`.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out += &format!("%{byte:02X}"),
        }
    }
    out
}

fn result_level(level: Level) -> &'static str {
    match level {
        Level::Allow => "none",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

fn result_level_enum(level: Level) -> ResultLevel {
    match level {
        Level::Allow => ResultLevel::None,
        Level::Warn => ResultLevel::Warning,
        Level::Deny => ResultLevel::Error,
    }
}

fn text(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

fn text_message(text: &str) -> Message {
    Message::builder().text(text).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_or_file_uris() {
        assert_eq!(uri(Path::new("./src/a b.c")), "src/a%20b.c");
        assert_eq!(uri(Path::new("src/%#?.rs")), "src/%25%23%3F.rs");
        assert_eq!(uri(Path::new("/tmp/x.c")), "file:///tmp/x.c");
    }
}
