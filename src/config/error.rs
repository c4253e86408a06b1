//! Problems in a config file, each with its place, for a rendered snippet (the outputs draw
//! it) and an exit status of 2.

use std::path::{Path, PathBuf};

use crate::ir::Span;

/// A config file that cannot be used, with every problem found in it.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub path: PathBuf,
    /// The file's text, for the snippet.
    pub text: String,
    pub problems: Vec<ConfigProblem>,
}

/// One problem, at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// `None` when the problem is the file as a whole (it cannot be read).
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
}

impl ConfigError {
    pub fn new(path: &Path, text: &str, problems: Vec<ConfigProblem>) -> Self {
        ConfigError { path: path.to_path_buf(), text: text.to_string(), problems }
    }

    pub fn whole_file(path: &Path, text: String, message: String) -> Self {
        let problem = ConfigProblem { span: None, message, help: None };
        ConfigError { path: path.to_path_buf(), text, problems: vec![problem] }
    }
}

impl ConfigProblem {
    /// A TOML syntax error or a key or value of the wrong shape, in fdlint's words: an
    /// unknown key or value comes with the closest known one.
    pub fn from_toml(error: &toml::de::Error) -> Self {
        let span = error.span().map(|range| Span::new(range.start, range.end));
        let message = error.message().trim_end();
        let first_line = message.lines().next().unwrap_or(message);
        for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
            if let Some((unknown, expected)) = parse_unknown(first_line, prefix) {
                return ConfigProblem {
                    span,
                    message: format!("unknown {what} `{unknown}`"),
                    help: Some(suggestion(&unknown, &expected)),
                };
            }
        }
        ConfigProblem { span, message: reworded(first_line), help: None }
    }
}

/// serde's "invalid type: string \"src\", expected a sequence" as "wrong type: expected a list,
/// found string \"src\""; other messages as they are.
fn reworded(message: &str) -> String {
    let Some(rest) = message.strip_prefix("invalid type: ") else { return message.to_string() };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_string();
    };
    let expected = expected.replace("a sequence", "a list").replace("a map", "a table");
    format!("wrong type: expected {expected}, found {found}")
}

/// serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`"; or "there are no
/// fields") split into `x` and the expected names.
fn parse_unknown(message: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix(prefix)?;
    let end = rest.find('`')?;
    let unknown = rest[..end].to_string();
    let expected = rest[end + 1..].split('`').skip(1).step_by(2).map(str::to_string).collect();
    Some((unknown, expected))
}

fn suggestion(unknown: &str, expected: &[String]) -> String {
    let closest = expected
        .iter()
        .map(|name| (strsim::jaro_winkler(unknown, name), name))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let listed = expected.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
    match (closest, expected.is_empty()) {
        (Some((_, name)), _) => format!("did you mean `{name}`?"),
        (None, false) => format!("expected one of {listed}"),
        (None, true) => "nothing is expected here".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, ConfigKind};

    #[test]
    fn no_prefix_of_a_config_panics_and_each_error_points_inside_the_file() {
        let text = "include = [\"src/**\"]\nexclude = [\"é[\"]\n[lints]\nFDL001 = \"deny\"\n\
                    [[api]]\nlanguage = \"c\"\n[[api.function]]\nnames = [\"x\"]\neffect = \"open\"\n";
        for end in (0..=text.len()).filter(|end| text.is_char_boundary(*end)) {
            for kind in [ConfigKind::Fdlint, ConfigKind::Cargo] {
                let prefix = &text[..end];
                if let Err(error) = Config::parse("fdlint.toml".as_ref(), prefix, kind) {
                    for span in error.problems.iter().filter_map(|p| p.span) {
                        assert!(span.end <= prefix.len(), "{prefix:?}: {span:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn unknown_keys_suggest_the_closest_known_one() {
        let (unknown, expected) = parse_unknown(
            "unknown field `exlude`, expected one of `lints`, `include`, `exclude`, `api`",
            "unknown field `",
        )
        .unwrap();
        assert_eq!(unknown, "exlude");
        assert_eq!(expected, ["lints", "include", "exclude", "api"]);
        assert_eq!(suggestion(&unknown, &expected), "did you mean `exclude`?");
        assert_eq!(suggestion("zzz", &["ab".into()]), "expected one of `ab`");
    }
}
