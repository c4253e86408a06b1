//! The lint reference in `docs/lints/`, generated from the declarations in `lints/`.
//! `tests/docs.rs` fails when the checked-in files drift from what this produces.

use super::{registry, Lint};

/// `docs/lints/README.md`: the rules table.
pub fn index() -> String {
    let mut out = String::from(
        "# Lint reference\n\nGenerated from `lints/*.toml` by `FDLINT_BLESS=1 cargo test --test docs`; do not edit.\n\n| code | name | default level | summary |\n|---|---|---|---|\n",
    );
    for lint in registry() {
        out += &format!(
            "| [{code}]({code}.md) | `{name}` | {level} | {summary} |\n",
            code = lint.code,
            name = lint.name,
            level = lint.level.config_name(),
            summary = lint.summary
        );
    }
    out
}

/// `docs/lints/FDL001.md`: one lint's page.
pub fn page(lint: &Lint) -> String {
    let mut out = format!(
        "# {} `{}`\n\nGenerated from `lints/{}.toml`; do not edit.\n\n**Default level:** {}",
        lint.code,
        lint.name,
        lint.name,
        lint.level.config_name()
    );
    if !lint.cwe.is_empty() {
        let cwes: Vec<String> = lint.cwe.iter().map(|n| format!("CWE-{n}")).collect();
        out += &format!(" · **CWE:** {}", cwes.join(", "));
    }
    out += &format!("\n\n{}\n\n{}", lint.summary, lint.explanation.trim_end());
    if !lint.fixes.is_empty() {
        out += "\n\n## Fixes offered\n";
        for fix in &lint.fixes {
            out += &format!("- {fix}\n");
        }
    } else {
        out.push('\n');
    }
    out
}
