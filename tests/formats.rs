//! The machine-readable formats checked against what reads them: SARIF against the official
//! 2.1.0 schema, cargo-json through `cargo_metadata`'s message types, GitHub workflow
//! commands against the runner's escaping rules. Fixes and allow comments are not produced by
//! every lint yet, so one report here is made by hand to carry both.

use std::path::PathBuf;

use cargo_metadata::diagnostic::{Applicability as CargoApplicability, DiagnosticLevel};
use cargo_metadata::Message;
use serde_json::Value;

use fdlint::catalog::Catalog;
use fdlint::diagnostics::{
    Applicability, Diagnostic, Edit, Elsewhere, Fix, Label, Level, Suppression,
};
use fdlint::driver::{lint_paths, FileProblem, FileReport};
use fdlint::ir::{Language, Span};
use fdlint::lints;
use fdlint::output::{write_reports, OutputFormat};
use fdlint::source::SourceFile;
use fdlint::walk::collect_files;

const HANDMADE_TEXT: &str = "int main(void)\n{\n    int fd = socket(AF_INET, SOCK_STREAM, 0);\n    if (fork()) close(fd);\n    sleep(100);\n}\n";

/// A report with a label, a help, one fix of each applicability, a silenced finding and a
/// problem, in a file whose name needs escaping in URIs and in workflow commands.
fn handmade_report() -> FileReport {
    let source = SourceFile::new(
        PathBuf::from("src/odd, name:100%.c"),
        HANDMADE_TEXT.to_string(),
        Language::C,
    );
    let socket = span_of("socket(AF_INET, SOCK_STREAM, 0)");
    let fork = span_of("fork()");
    let fix = |title: &str, applicability| Fix {
        title: title.to_string(),
        applicability,
        edits: vec![Edit::insert(fork.start, "/* a */ "), Edit::replace(socket, "-1")],
    };
    let leak = Diagnostic::new(
        "FDL001",
        fork,
        "`fd` is live at `fork()`:\n50% leaked".to_string(),
        vec![
            Label::new(socket, "1: opened here"),
            Label::new(fork, "2: copied here"),
            Label {
                span: Span::new(40, 46),
                message: "3: kept here".to_string(),
                elsewhere: Some(Elsewhere {
                    path: PathBuf::from("src/worker.c"),
                    line: 7,
                    column: 5,
                    end_line: 7,
                    end_column: 11,
                }),
            },
        ],
    )
    .with_help("close it in the child".to_string())
    .with_fix(fix("close it", Applicability::Safe))
    .with_fix(fix("shut it down", Applicability::Unsafe))
    .with_fix(fix("move it", Applicability::Manual));
    let mut silenced = Diagnostic::new("FDL003", socket, "silenced".to_string(), Vec::new());
    silenced.level = Level::Deny;
    silenced.suppressed = Some(Suppression { span: span_of("sleep(100);") });
    FileReport {
        source,
        diagnostics: vec![leak, silenced],
        problems: vec![FileProblem {
            span: Some(span_of("sleep")),
            message: "could not parse this".to_string(),
            recovered: true,
            internal: false,
        }],
    }
}

fn span_of(needle: &str) -> Span {
    let start = HANDMADE_TEXT.find(needle).expect("the needle is in the text");
    Span::new(start, start + needle.len())
}

fn render(format: OutputFormat, reports: &[FileReport]) -> String {
    let mut out = Vec::new();
    write_reports(format, reports, &mut out, &mut Vec::new(), false).expect("writing to memory");
    String::from_utf8(out).expect("outputs are UTF-8")
}

/// Every fixture, linted as one run, and the handmade report.
fn all_reports() -> Vec<FileReport> {
    let (files, problems) = collect_files(&[PathBuf::from("fixtures")]);
    assert!(problems.is_empty() && files.len() > 20, "{problems:?}");
    let mut reports = lint_paths(&files, &Catalog::builtin());
    reports.push(handmade_report());
    reports
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let mut schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").expect("schema"),
    )
    .expect("the schema is JSON");
    // The schema's pattern for a `language` has a stray `]` that JavaScript reads as a literal
    // and the validator's stricter regex engine rejects; fdlint writes no `language`, so the
    // pattern is mended here and the checked-in file stays as published.
    let mended = mend_language_patterns(&mut schema);
    assert!(mended >= 2, "the schema changed: see whether the mending is still needed");
    let validator = jsonschema::options().build(&schema).expect("the schema compiles");
    let sarif: Value =
        serde_json::from_str(&render(OutputFormat::Sarif, &all_reports())).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF breaks the schema:\n{}", errors.join("\n"));
    assert!(!sarif["runs"][0]["results"].as_array().expect("results").is_empty());
    let mut broken = sarif;
    broken["runs"][0]["results"][0]["level"] = "loud".into();
    assert!(!validator.is_valid(&broken), "the validator must catch a level SARIF lacks");
}

fn mend_language_patterns(schema: &mut Value) -> usize {
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match schema {
        Value::String(text) if text == STRAY => {
            *text = STRAY.replace("}]?", "}\\]?");
            1
        }
        Value::Array(items) => items.iter_mut().map(mend_language_patterns).sum(),
        Value::Object(fields) => fields.values_mut().map(mend_language_patterns).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_carries_rules_locations_fixes_and_suppressions() {
    let sarif: Value =
        serde_json::from_str(&render(OutputFormat::Sarif, &[handmade_report()])).expect("JSON");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), lints::registry().len());
    let fdl001 = &rules[0];
    assert_eq!(fdl001["id"], "FDL001");
    assert_eq!(fdl001["name"], "fork_after_connect");
    assert!(fdl001["help"]["markdown"].as_str().expect("help").contains("## Why is this bad?"));
    let tags = fdl001["properties"]["tags"].as_array().expect("tags");
    assert!(
        tags.contains(&"external/cwe/cwe-775".into())
            && tags.contains(&"external/cwe/cwe-403".into())
    );
    let fdl003 = rules.iter().find(|rule| rule["id"] == "FDL003").expect("FDL003");
    assert!(fdl003["properties"]["tags"]
        .as_array()
        .expect("tags")
        .contains(&"external/cwe/cwe-403".into()));

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "the silenced finding is kept");
    let leak = &results[0];
    assert_eq!(leak["ruleId"], "FDL001");
    assert_eq!(rules[leak["ruleIndex"].as_u64().expect("index") as usize]["id"], "FDL001");
    let location = &leak["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/odd%2C%20name%3A100%25.c");
    assert_eq!(location["region"]["startLine"], 4);
    assert_eq!(location["region"]["startColumn"], 9);
    assert_eq!(location["region"]["endColumn"], 15);
    assert_eq!(leak["relatedLocations"][0]["message"]["text"], "1: opened here");
    assert_eq!(leak["relatedLocations"][0]["physicalLocation"]["region"]["startLine"], 3);
    let elsewhere = &leak["relatedLocations"][2]["physicalLocation"];
    assert_eq!(elsewhere["artifactLocation"]["uri"], "src/worker.c");
    assert_eq!(elsewhere["region"]["startLine"], 7);
    assert_eq!(elsewhere["region"]["startColumn"], 5);
    let fixes = leak["fixes"].as_array().expect("fixes");
    assert_eq!(fixes.len(), 3);
    assert_eq!(fixes[0]["description"]["text"], "close it");
    let replacement = &fixes[0]["artifactChanges"][0]["replacements"][1];
    assert_eq!(replacement["deletedRegion"]["byteOffset"], span_of("socket(").start);
    assert_eq!(replacement["deletedRegion"]["byteLength"], 31);
    assert_eq!(replacement["insertedContent"]["text"], "-1");
    assert!(leak.get("suppressions").is_none());

    let silenced = &results[1];
    assert_eq!(silenced["level"], "error");
    assert_eq!(silenced["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        silenced["suppressions"][0]["location"]["physicalLocation"]["region"]["startLine"],
        5
    );
    let notification = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(notification["message"]["text"], "could not parse this");
}

#[test]
fn cargo_json_parses_as_cargo_messages_with_rustc_diagnostics() {
    let text = render(OutputFormat::CargoJson, &all_reports());
    let mut messages = 0;
    for message in Message::parse_stream(text.as_bytes()) {
        let Message::CompilerMessage(message) = message.expect("a cargo message") else {
            panic!("only compiler messages are written");
        };
        messages += 1;
        let diagnostic = &message.message;
        let code = diagnostic.code.as_ref().expect("a code");
        assert!(lints::find(&code.code).is_some(), "{}", code.code);
        assert!(code.explanation.as_deref().is_some_and(|e| e.contains("## What it does")));
        assert!(matches!(diagnostic.level, DiagnosticLevel::Warning | DiagnosticLevel::Error));
        assert_eq!(diagnostic.spans.iter().filter(|span| span.is_primary).count(), 1);
        let rendered = diagnostic.rendered.as_deref().expect("rendered");
        assert!(rendered.contains(&code.code), "{rendered}");
        for span in &diagnostic.spans {
            assert!(span.line_start <= span.line_end && span.column_start >= 1);
        }
        assert!(diagnostic.spans.iter().filter(|s| s.is_primary).all(|s| !s.text.is_empty()));
    }
    let visible = all_reports()
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.suppressed.is_none())
        .count();
    assert_eq!(messages, visible, "one message per shown finding, the silenced left out");
}

#[test]
fn cargo_json_turns_fixes_into_suggestions() {
    let text = render(OutputFormat::CargoJson, &[handmade_report()]);
    let messages: Vec<Message> =
        Message::parse_stream(text.as_bytes()).map(|m| m.expect("a message")).collect();
    assert_eq!(messages.len(), 1, "the silenced finding is left out");
    let Message::CompilerMessage(message) = &messages[0] else { panic!("a compiler message") };
    let diagnostic = &message.message;
    let primary = &diagnostic.spans[0];
    assert!(primary.is_primary);
    assert_eq!(primary.file_name, "src/odd, name:100%.c");
    assert_eq!((primary.line_start, primary.column_start, primary.column_end), (4, 9, 15));
    assert_eq!(primary.label.as_deref(), Some("2: copied here"));
    assert_eq!(primary.text[0].text, "    if (fork()) close(fd);");
    let secondary = &diagnostic.spans[1];
    assert!(!secondary.is_primary);
    assert_eq!(secondary.label.as_deref(), Some("1: opened here"));
    let elsewhere = &diagnostic.spans[2];
    assert_eq!(elsewhere.file_name, "src/worker.c");
    assert_eq!((elsewhere.line_start, elsewhere.column_start, elsewhere.column_end), (7, 5, 11));
    assert_eq!((elsewhere.byte_start, elsewhere.byte_end), (40, 46));
    assert!(diagnostic
        .rendered
        .as_deref()
        .is_some_and(|r| r.contains("src/worker.c:7:5: 3: kept here")));

    let children = &diagnostic.children;
    assert_eq!(children.len(), 4, "the help and three fixes");
    assert_eq!(children[0].message, "close it in the child");
    assert!(children[0].spans.is_empty());
    let expected = [
        ("close it", CargoApplicability::MachineApplicable),
        ("shut it down", CargoApplicability::MaybeIncorrect),
        ("move it", CargoApplicability::HasPlaceholders),
    ];
    for (child, (title, applicability)) in children[1..].iter().zip(expected) {
        assert_eq!(child.message, title);
        assert_eq!(child.level, DiagnosticLevel::Help);
        let insert = &child.spans[0];
        assert_eq!(insert.suggested_replacement.as_deref(), Some("/* a */ "));
        assert_eq!(
            (insert.byte_start, insert.byte_end),
            (span_of("fork").start as u32, span_of("fork").start as u32)
        );
        assert_eq!(insert.suggestion_applicability, Some(applicability.clone()));
        assert_eq!(child.spans[1].suggested_replacement.as_deref(), Some("-1"));
    }
}

#[test]
fn github_commands_escape_properties_and_data_and_leave_out_the_silenced() {
    let text = render(OutputFormat::Github, &[handmade_report()]);
    assert_eq!(
        text,
        "::warning file=src/odd%2C name%3A100%25.c,line=4,col=9,endLine=4,endColumn=15,title=FDL001::`fd` is live at `fork()`:%0A50%25 leaked\n"
    );
    let mut denied = handmade_report();
    denied.diagnostics[0].level = Level::Deny;
    assert!(render(OutputFormat::Github, &[denied]).starts_with("::error file="));
}

#[test]
fn text_formats_leave_out_silenced_findings() {
    let report = handmade_report();
    for format in [OutputFormat::Human, OutputFormat::Concise, OutputFormat::Json] {
        let text = render(format, std::slice::from_ref(&report));
        assert!(text.contains("live at"), "{format:?}: {text}");
        assert!(!text.contains("silenced"), "{format:?}: {text}");
    }
}
