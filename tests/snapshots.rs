//! Rendered output checked in beside a few fixtures, reviewed like clippy's UI tests:
//! `fixtures/x/name.c` has `name.human` (the human report, without colour), `name.jsonl`,
//! `name.concise`, `name.github` and `name.cargo.jsonl`; a folder case `fixtures/x/name/`
//! (linted as one run) has them beside the folder. One C and one Rust fixture have
//! `name.sarif` too (SARIF repeats every rule's help, so two are enough).
//! `FDLINT_BLESS=1 cargo test --test snapshots` rewrites them; review the diff.

use std::path::{Path, PathBuf};

use fdlint::catalog::Catalog;
use fdlint::driver::lint_sources;
use fdlint::output::{write_reports, OutputFormat};
use fdlint::source::{language_of, SourceFile};

/// The fixtures whose whole output is pinned.
const SNAPSHOTS: &[&str] = &[
    "fixtures/c/seed_1_zookeeper_then_fork.c",
    "fixtures/c/seed_2_parent_closes_child_keeps.c",
    "fixtures/c/ignored_fork_result_both_keep_running.c",
    "fixtures/c/accept_loop_parent_keeps_client.c",
    "fixtures/c/fdl003_two_sockets_child_execs.c",
    "fixtures/rust/seed_2_parent_drops_child_keeps_nix.rs",
    "fixtures/rust/nix_match_parent_leaks.rs",
    "fixtures/rust/fork_in_helper_parent_keeps_stream_leaks.rs",
    "fixtures/c/twemproxy_zk_field_workers",
];

const SARIF_SNAPSHOTS: &[&str] =
    &["fixtures/c/seed_1_zookeeper_then_fork.c", "fixtures/rust/nix_match_parent_leaks.rs"];

#[test]
fn rendered_outputs_match_the_checked_in_snapshots() {
    let bless = std::env::var_os("FDLINT_BLESS").is_some();
    let catalog = Catalog::builtin();
    let mut stale = Vec::new();
    for fixture in SNAPSHOTS {
        let path = PathBuf::from(fixture);
        let reports = lint_sources(sources_of(&path), &catalog);
        assert!(
            reports.iter().any(|report| !report.diagnostics.is_empty()),
            "{fixture}: a snapshot fixture should have findings"
        );
        let mut formats = vec![
            (OutputFormat::Human, "human"),
            (OutputFormat::Json, "jsonl"),
            (OutputFormat::Concise, "concise"),
            (OutputFormat::Github, "github"),
            (OutputFormat::CargoJson, "cargo.jsonl"),
        ];
        if SARIF_SNAPSHOTS.contains(fixture) {
            formats.push((OutputFormat::Sarif, "sarif"));
        }
        for (format, extension) in formats {
            let mut out = Vec::new();
            let mut errors = Vec::new();
            write_reports(format, &reports, &mut out, &mut errors, false)
                .expect("writing to memory");
            let rendered = String::from_utf8(out).expect("outputs are UTF-8");
            let snapshot = path.with_extension(extension);
            if bless {
                std::fs::write(&snapshot, &rendered).expect("writable fixtures");
            } else if read(&snapshot) != rendered {
                stale.push(format!("{}:\n{}", snapshot.display(), rendered));
            }
        }
    }
    assert!(stale.is_empty(), "outputs differ (FDLINT_BLESS=1 to accept):\n{}", stale.join("\n"));
}

#[test]
fn json_lines_parse_and_carry_the_specified_fields() {
    for fixture in SNAPSHOTS {
        let text = read(&Path::new(fixture).with_extension("jsonl"));
        for line in text.lines() {
            let object: serde_json::Value = serde_json::from_str(line).expect("one object a line");
            for field in [
                "code",
                "lint",
                "severity",
                "message",
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
                "labels",
                "fixes",
            ] {
                assert!(object.get(field).is_some(), "{fixture}: `{field}` missing in {line}");
            }
            for label in object["labels"].as_array().expect("labels is an array") {
                for field in ["file", "line", "column", "message"] {
                    assert!(label.get(field).is_some(), "{fixture}: label `{field}` missing");
                }
            }
        }
    }
}

/// A fixture file, or every source file of a folder case, in path order.
fn sources_of(path: &Path) -> Vec<SourceFile> {
    let mut paths = vec![path.to_path_buf()];
    if path.is_dir() {
        let entries = std::fs::read_dir(path).expect("snapshot folder is readable");
        paths = entries.flatten().map(|entry| entry.path()).collect();
        paths.sort();
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let language = language_of(&path)?;
            let text = std::fs::read_to_string(&path).expect("snapshot fixture exists");
            Some(SourceFile::new(path, text, language))
        })
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
