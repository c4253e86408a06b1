//! An open document's findings by function, kept between edits: after an edit, the findings
//! (with their fix-its) of a function whose facts are the same, moved, are moved too rather
//! than built again.
//!
//! A function's findings are built from its facts, from text near its spans (indentation, line
//! endings, what follows a brace on its line), and from a little of the whole file: its line
//! ending and indentation unit (`Style`), where a new `use` goes and what the file imports,
//! and which function has the function's name. They are kept across an edit only when the
//! edit spares the function's lines and the file-wide parts are the same; labels in other
//! files are the caller's to watch (it drops everything when another file changes).

use std::collections::HashMap;

use crate::analysis::Facts;
use crate::diagnostics::Diagnostic;
use crate::ir::{LoweredFile, Span, TextEdit, UseSite};
use crate::lints::fixes::Style;

pub struct Findings {
    style: Style,
    use_site: Option<UseSite>,
    top_imports: Vec<(String, String)>,
    /// Per function of the file's IR: whether its name is the file's only one of its kind
    /// (fixes find a function by name: the findings of one of two namesakes may read the
    /// other's IR).
    unique: Vec<bool>,
    /// By function, in the file's order; `None` when not built yet (or not kept).
    functions: Vec<Option<FunctionFindings>>,
}

/// The findings of one function, before allow comments are read.
struct FunctionFindings {
    /// Where the function is, and the facts they were built from.
    span: Span,
    facts: Facts,
    diagnostics: Vec<Diagnostic>,
}

impl Findings {
    /// Nothing built yet, for a file with `lowered` as its IR and `text`.
    pub fn new(lowered: &LoweredFile, text: &str) -> Self {
        Findings {
            style: Style::of(text),
            use_site: lowered.use_site,
            top_imports: lowered.top_imports.clone(),
            unique: unique_names(lowered),
            functions: Vec::new(),
        }
    }

    /// The findings of function `index` (at `span`), built by `build` unless those kept
    /// were built from the same facts.
    pub fn of_function(
        &mut self,
        index: usize,
        span: Span,
        facts: &Facts,
        build: impl FnOnce() -> Vec<Diagnostic>,
    ) -> &[Diagnostic] {
        if self.functions.len() <= index {
            self.functions.resize_with(index + 1, || None);
        }
        let slot = &mut self.functions[index];
        if !slot.as_ref().is_some_and(|kept| kept.span == span && kept.facts == *facts) {
            let diagnostics = build();
            *slot = Some(FunctionFindings { span, facts: facts.clone(), diagnostics });
        }
        slot.as_ref().map_or(&[], |kept| kept.diagnostics.as_slice())
    }

    /// The findings after `edit` made the text `new_text` with IR `new`, whose function `i`
    /// is function `kept[i]` of the IR they are of when kept. Those of a function whose name is
    /// the file's only one of its kind (fixes find the function by name), on lines the edit
    /// spared, are moved; `None` when a file-wide part of what fixes read changed.
    pub fn moved(
        mut self,
        new: &LoweredFile,
        new_text: &str,
        edit: TextEdit,
        kept: &[Option<usize>],
    ) -> Option<Findings> {
        let style = Style::of(new_text);
        let use_site = match self.use_site {
            Some(site) => Some(UseSite { at: edit.moved_offset(site.at)?, ..site }),
            None => None,
        };
        if style != self.style || use_site != new.use_site || new.top_imports != self.top_imports {
            return None;
        }
        let unique = unique_names(new);
        let mut old = std::mem::take(&mut self.functions);
        let functions = (kept.iter().zip(&unique))
            .map(|(index, unique_now)| {
                let index = (*index)?;
                let kept = old.get_mut(index)?.take()?;
                let unique = *unique_now && self.unique.get(index) == Some(&true);
                let moved = kept.moved(&edit).filter(|_| unique)?;
                edit.spares_lines_of(new_text, moved.span).then_some(moved)
            })
            .collect();
        Some(Findings { style, use_site, top_imports: self.top_imports, unique, functions })
    }
}

/// Per function: whether no other function of the file has its name.
fn unique_names(lowered: &LoweredFile) -> Vec<bool> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for function in &lowered.functions {
        *count.entry(function.name.as_str()).or_default() += 1;
    }
    lowered.functions.iter().map(|function| count[function.name.as_str()] == 1).collect()
}

impl FunctionFindings {
    fn moved(mut self, edit: &TextEdit) -> Option<FunctionFindings> {
        self.span = edit.moved(self.span)?;
        let file = self.facts.file;
        self.facts = self.facts.moved(file, edit)?;
        for diagnostic in &mut self.diagnostics {
            move_diagnostic(diagnostic, edit)?;
        }
        Some(self)
    }
}

/// Moves a diagnostic's spans in its own file: its place, its labels there, its fixes' edits.
fn move_diagnostic(diagnostic: &mut Diagnostic, edit: &TextEdit) -> Option<()> {
    diagnostic.span = edit.moved(diagnostic.span)?;
    for label in diagnostic.labels.iter_mut().filter(|label| label.elsewhere.is_none()) {
        label.span = edit.moved(label.span)?;
    }
    for fix_edit in diagnostic.fixes.iter_mut().flat_map(|fix| &mut fix.edits) {
        fix_edit.span = edit.moved(fix_edit.span)?;
    }
    Some(())
}
