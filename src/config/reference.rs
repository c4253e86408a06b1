//! `docs/config.md`, generated from the keys below: the single description of the config
//! schema. `tests/docs.rs` fails when the checked-in page drifts, and a unit test fails when a
//! key the parser accepts is not described here.

/// A config key: its name as written, its type, and what it does.
pub struct Key {
    pub name: &'static str,
    pub kind: &'static str,
    pub doc: &'static str,
}

/// The top-level keys, in the parser's order.
pub const KEYS: &[Key] = &[
    Key {
        name: "lints",
        kind: "table: lint code or name → `\"allow\"`, `\"warn\"` or `\"deny\"`",
        doc: "Each lint's level. `allow` turns it off; `deny` makes its findings fail the run (exit status 1).",
    },
    Key {
        name: "include",
        kind: "list of globs",
        doc: "When given, only files matched are linted.",
    },
    Key {
        name: "exclude",
        kind: "list of globs",
        doc: "Files matched are not linted, even when named on the command line.",
    },
    Key {
        name: "api",
        kind: "list of tables (`[[api]]`)",
        doc: "Extra API models, in the shape of the built-in catalog (`lints/api/*.toml`): a `language` (`\"c\"` or `\"rust\"`) and `[[api.function]]`, `[[api.method]]` or `[[api.attribute]]` entries. A model of a name the catalog already has replaces it.",
    },
];

/// The keys of one model (`[[api.function]]` and kin).
pub const MODEL_KEYS: &[Key] = &[
    Key { name: "names", kind: "list of strings", doc: "Resolved paths of functions (`my_db::connect`, `Type::method` for associated functions, a bare name in C) or method names." },
    Key { name: "effect", kind: "string", doc: "What a call does; one of the effects below." },
    Key { name: "what", kind: "string", doc: "For `open`: what the connection is, as messages name it (`\"database connection\"`)." },
    Key { name: "background_thread", kind: "bool", doc: "For `open`: a library thread serves the connection in the process that opened it." },
    Key { name: "listening", kind: "bool", doc: "For `open`: the connection is a listening socket." },
    Key { name: "cloexec", kind: "bool", doc: "For `open`: the descriptor is always close-on-exec." },
    Key { name: "cloexec_flag", kind: "string", doc: "For `open` and `set_cloexec`: the flag among the arguments that makes the descriptor close-on-exec." },
    Key { name: "returns", kind: "string", doc: "The type of the result, so that methods on it can be told apart." },
    Key { name: "receiver", kind: "string", doc: "For methods: the model applies only to a receiver of this type." },
    Key { name: "handle_arg", kind: "integer", doc: "For `spawn_thread`: the argument the thread's handle is written through." },
    Key { name: "ends_on_drop", kind: "bool", doc: "For `spawn_thread`: dropping the handle stops the threads." },
    Key { name: "flags_arg", kind: "integer", doc: "For `open`: the argument (0-based) that holds the flags `cloexec_flag` goes into, for the fix that adds it." },
    Key { name: "socket", kind: "string", doc: "For `open`: a bare socket, not a client handle: `\"descriptor\"` (an integer descriptor) or `\"stream\"` (a value with `shutdown(Shutdown::Both)` that closes when dropped), so fixes may close or shut it down." },
];

/// The effects a model can give a call.
pub const EFFECTS: &[(&str, &str)] = &[
    ("open", "returns a new connection"),
    ("close", "closes its first argument in the calling process"),
    ("shutdown", "ends the connection of its first argument for every process that shares it"),
    ("listen", "marks its first argument as a listening socket"),
    ("fork", "splits the process in two; returns 0 in the child"),
    ("exec", "replaces the process image"),
    ("exit", "ends the process"),
    ("blocking", "may wait a long time: the process keeps running past it"),
    ("quick", "returns at once and keeps nothing"),
    (
        "set_cloexec",
        "sets close-on-exec on its first argument when `cloexec_flag` is among its arguments",
    ),
    ("passthrough", "the result holds what the receiver held (`unwrap`)"),
    ("close_all", "closes every descriptor from some number up"),
    ("spawn_thread", "starts a thread (or a runtime of threads)"),
    ("join", "waits for the thread its first argument holds"),
    ("spawn", "runs a program in a new child; the caller goes on"),
    ("daemon", "forks and ends the parent at once"),
    ("vfork", "forks a child that can only exec or exit"),
    ("store", "its first argument (a collection) holds the other arguments from then on (`push`)"),
];

/// The page.
pub fn page() -> String {
    let mut out = String::from(
        "# Configuration\n\nGenerated from `src/config/reference.rs` by `FDLINT_BLESS=1 cargo test --test docs`; do not edit.\n\n\
         fdlint reads `fdlint.toml`, or the `[package.metadata.fdlint]` (else \
         `[workspace.metadata.fdlint]`) table of a `Cargo.toml`. Each linted file uses the \
         nearest one in its folder or a folder above it (`fdlint.toml` first in a folder); \
         nothing is merged. Files under different configs are analysed as separate runs (a \
         call sees into functions of files under the same config only). `--config PATH` uses \
         one file for every path; `--isolated` uses none. Globs are relative to the config file's folder: a pattern without `/` matches \
         a file or folder name at any depth, one with `/` the path from that folder, and a \
         folder matched covers everything in it.\n\n\
         A level comes from the command line (`-A`/`-W`/`-D`, the last one wins; \
         `--deny warnings`), else the config, else the lint's default. An unknown key, a \
         value of the wrong type, an unknown lint or a bad glob is an error with its place in \
         the file, and the run exits with status 2.\n\n## Keys\n\n| key | type | meaning |\n|---|---|---|\n",
    );
    for key in KEYS {
        out += &format!("| `{}` | {} | {} |\n", key.name, key.kind, key.doc);
    }
    out += "\n## API models\n\n| key | type | meaning |\n|---|---|---|\n";
    for key in MODEL_KEYS {
        out += &format!("| `{}` | {} | {} |\n", key.name, key.kind, key.doc);
    }
    out += "\n### Effects\n\n| effect | the call |\n|---|---|\n";
    for (effect, doc) in EFFECTS {
        out += &format!("| `{effect}` | {doc} |\n");
    }
    out += EXAMPLE;
    out
}

const EXAMPLE: &str = r#"
## Example

```toml
include = ["src", "lib"]
exclude = ["vendor/", "*_generated.c"]

[lints]
fork_after_connect = "deny"
FDL004 = "allow"

[[api]]
language = "rust"

[[api.function]]
names = ["my_db::connect"]
effect = "open"
what = "database connection"

[[api.function]]
names = ["my_app::Supervisor::start"]
effect = "spawn_thread"

[[api]]
language = "c"

[[api.function]]
names = ["pool_release"]
effect = "close"

[[api.function]]
names = ["spawn_worker"]
effect = "fork"
```

In a `Cargo.toml` the same keys go under `[package.metadata.fdlint]`, with
`[package.metadata.fdlint.lints]` and `[[package.metadata.fdlint.api]]`.

## Allow comments

A comment on the line of a finding's primary span, or on the line before it, silences it:
`// fdlint: allow(fork_after_connect)`, or `/* fdlint: allow(FDL001) */`; codes and names
work alike, several separated by commas, and anything may follow the `)`. Silenced findings
are left out of the output and the exit status (an output that keeps them, as SARIF does, marks them suppressed). An
allow that silences nothing, names no lint, or cannot be read is reported as
[FDL005 `unused_allow`](lints/FDL005.md). `fdlint --add-allow PATHS` writes an allow comment
for every current finding. In a C file with syntax errors a new comment line can change what
the parser recovers, and with it the findings; `--add-allow` lints again and adds again until
nothing more is added, and leaves a file alone, with an error, when its findings still change
after 4 rounds.
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigKind};

    /// The expected names serde lists for an unknown key, which are the keys it accepts.
    fn accepted_keys(text: &str) -> Vec<String> {
        let error = Config::parse("fdlint.toml".as_ref(), text, ConfigKind::Fdlint).unwrap_err();
        let help = error.problems[0].help.clone().unwrap_or_default();
        let listed = help.split("expected one of ").nth(1).unwrap_or_default();
        listed.split('`').skip(1).step_by(2).map(str::to_string).collect()
    }

    #[test]
    fn every_key_the_parser_accepts_is_documented() {
        let names = |keys: &[Key]| keys.iter().map(|k| k.name.to_string()).collect::<Vec<_>>();
        assert_eq!(accepted_keys("zzzzzz = 1\n"), names(KEYS));
        let model = "[[api]]\nlanguage = \"c\"\n[[api.function]]\nzzzzzz = 1\n";
        assert_eq!(accepted_keys(model), names(MODEL_KEYS));
        let effect =
            "[[api]]\nlanguage = \"c\"\n[[api.function]]\nnames = []\neffect = \"zzzzzz\"\n";
        let effects: Vec<String> = EFFECTS.iter().map(|(name, _)| name.to_string()).collect();
        assert_eq!(accepted_keys(effect), effects);
    }

    #[test]
    fn the_example_is_a_valid_config() {
        let example = EXAMPLE.split("```toml\n").nth(1).and_then(|s| s.split("```").next());
        let config = Config::parse("fdlint.toml".as_ref(), example.unwrap(), ConfigKind::Fdlint);
        let config = config.expect("the example parses").expect("a config");
        assert_eq!(config.api.len(), 2);
    }
}
