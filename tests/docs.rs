//! The lint reference is generated from `lints/`; the explanations' examples run.
//! `FDLINT_BLESS=1 cargo test --test docs` regenerates `docs/lints/`.

use std::path::PathBuf;

use fdlint::catalog::Catalog;
use fdlint::driver::lint_source;
use fdlint::ir::Language;
use fdlint::lints::{reference, registry};
use fdlint::source::SourceFile;

#[test]
fn lint_reference_is_up_to_date() {
    let mut expected = vec![
        (PathBuf::from("docs/lints/README.md"), reference::index()),
        (PathBuf::from("docs/config.md"), fdlint::config::reference::page()),
    ];
    for lint in registry() {
        expected
            .push((PathBuf::from(format!("docs/lints/{}.md", lint.code)), reference::page(lint)));
    }
    let bless = std::env::var_os("FDLINT_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, text) in expected {
        if bless {
            std::fs::create_dir_all("docs/lints").expect("docs/ is writable");
            std::fs::write(&path, &text).expect("docs/ is writable");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(stale.is_empty(), "stale, run FDLINT_BLESS=1 cargo test --test docs: {stale:?}");
}

/// The bad example of every explanation yields exactly one diagnostic of its lint; the good
/// one yields none (biome's runnable examples).
#[test]
fn explanation_examples_behave_as_they_say() {
    let catalog = Catalog::builtin();
    for lint in registry() {
        for (heading, expected) in [("## Example", 1), ("## Use instead", 0)] {
            let (language, code) = first_code_block(&lint.explanation, heading)
                .unwrap_or_else(|| panic!("{}: no code block under {heading}", lint.code));
            let source = SourceFile::new(PathBuf::from("example"), code, language);
            let report = lint_source(source, &catalog);
            let count = report.diagnostics.iter().filter(|d| d.code == lint.code).count();
            assert_eq!(count, expected, "{} {heading}: {:?}", lint.code, report.diagnostics);
            assert!(
                report.problems.is_empty(),
                "{} {heading} does not parse: {:?}",
                lint.code,
                report.problems
            );
        }
    }
}

fn first_code_block(markdown: &str, heading: &str) -> Option<(Language, String)> {
    let section = &markdown[markdown.find(heading)?..];
    let fence = section.find("```")?;
    let after = &section[fence + 3..];
    let newline = after.find('\n')?;
    let language = match after[..newline].trim() {
        "rust" => Language::Rust,
        _ => Language::C,
    };
    let body = &after[newline + 1..];
    Some((language, body[..body.find("```")?].to_string()))
}

/// The user guide describes every output format the command line offers.
#[test]
fn user_guide_covers_every_output_format() {
    use clap::ValueEnum;
    let guide = std::fs::read_to_string("docs/guide.md").expect("docs/guide.md");
    for format in fdlint::output::OutputFormat::value_variants() {
        let name =
            format.to_possible_value().expect("every format is offered").get_name().to_string();
        assert!(guide.contains(&format!("| `{name}`")), "docs/guide.md lacks a row for `{name}`");
    }
}

#[test]
fn readme_lists_every_lint() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    for lint in fdlint::lints::registry() {
        let row = format!("| {} | `{}` |", lint.code, lint.name);
        assert!(readme.contains(&row), "README's Lints table lacks `{row}`");
    }
}
