//! The numbered labels a diagnostic tells its story with (1: opened here, 2: fork here, 3: the
//! child goes on here), across functions and files when a callee opened the connection or
//! forked.

use super::short_name;
use crate::analysis::{Connection, Located};
use crate::diagnostics::{Label, Locate};
use crate::ir::Span;

pub struct Story<'a> {
    locate: Locate<'a>,
    /// The run's index of the file being reported on.
    file: usize,
    labels: Vec<Label>,
}

impl<'a> Story<'a> {
    pub fn new(locate: Locate<'a>, file: usize) -> Self {
        Story { locate, file, labels: Vec::new() }
    }

    /// The next label, in the reported file.
    pub fn here(&mut self, span: Span, message: impl AsRef<str>) -> &mut Self {
        self.at(self.file, span, message)
    }

    /// The next label, in any file of the run.
    pub fn at(&mut self, file: usize, span: Span, message: impl AsRef<str>) -> &mut Self {
        let text = format!("{}: {}", self.labels.len() + 1, message.as_ref());
        self.labels.push(Label::in_run(self.locate, file, span, text));
        self
    }

    /// Where the connection was opened (`how` says what else happened there); when a callee
    /// opened it, the open inside the callee and then the call that handed it over.
    pub fn opened(&mut self, conn: &Connection, how: &str) -> &mut Self {
        let what = format!("`{}` ({}) opened here{how}", conn.name, conn.what);
        match &conn.opened_in {
            Some(inside) => self
                .in_function(inside, &what)
                .here(conn.open_span, format!("`{}()` hands it over", short_name(&conn.opener))),
            None => self.here(conn.open_span, what),
        }
    }

    /// The fork (`does` says what it does); when a helper of the run forks, the call and the
    /// fork inside it.
    pub fn forked(
        &mut self,
        span: Span,
        callee: &str,
        inside: Option<&Located>,
        does: &str,
    ) -> &mut Self {
        let callee = short_name(callee);
        match inside {
            Some(inside) => self
                .here(span, format!("`{callee}()` forks: it {does}"))
                .in_function(inside, "the fork"),
            None => self.here(span, format!("`{callee}()` {does}")),
        }
    }

    fn in_function(&mut self, located: &Located, what: &str) -> &mut Self {
        let message = format!("{what}, in `{}`", short_name(&located.function));
        self.at(located.file, located.span, message)
    }

    pub fn into_labels(self) -> Vec<Label> {
        self.labels
    }
}
