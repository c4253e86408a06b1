//! Facts and summaries moved by an edit of their file: a function the edit left alone, whose
//! lookups find the same, keeps its analysis with every span of the edited file moved by the
//! edit's length. A span that touches the edited range cannot be moved, and then the analysis
//! is done again.

use super::summary::{FunctionSeen, OpenOrigin, Summary};
use super::{Connection, Facts, Located};
use crate::ir::{BranchEntry, Span, TextEdit};

/// Moves the spans of file `file` by `edit`, noting whether every one could be.
pub(super) struct Mover<'a> {
    file: usize,
    edit: &'a TextEdit,
    moved: bool,
}

impl<'a> Mover<'a> {
    pub(super) fn new(file: usize, edit: &'a TextEdit) -> Self {
        Mover { file, edit, moved: true }
    }

    /// Whether every span met so far could be moved.
    pub(super) fn all_moved(&self) -> bool {
        self.moved
    }

    fn span(&mut self, span: &mut Span) {
        match self.edit.moved(*span) {
            Some(moved) => *span = moved,
            None => self.moved = false,
        }
    }

    fn offset(&mut self, offset: &mut usize) {
        match self.edit.moved_offset(*offset) {
            Some(moved) => *offset = moved,
            None => self.moved = false,
        }
    }

    /// A place in any file of the run: moved when in the edited file.
    fn located(&mut self, located: &mut Located) {
        if located.file == self.file {
            self.span(&mut located.span);
        }
    }

    fn origin(&mut self, origin: &mut OpenOrigin) {
        if origin.file == self.file {
            self.span(&mut origin.span);
        }
    }

    fn entry(&mut self, entry: &mut BranchEntry) {
        match entry {
            BranchEntry::Body { span, .. } => self.span(span),
            BranchEntry::MissingElse { if_start, then_body, .. } => {
                self.offset(if_start);
                self.span(then_body);
            }
        }
    }

    fn connection(&mut self, connection: &mut Connection) {
        self.span(&mut connection.open_span);
        connection.opened_in.iter_mut().for_each(|located| self.located(located));
        connection.flags.iter_mut().for_each(|(span, _)| self.span(span));
    }

    /// Facts of the edited file: their bare spans are in it.
    pub(super) fn facts(&mut self, facts: &mut Facts) {
        for leak in &mut facts.leaks {
            self.span(&mut leak.fork_span);
            leak.fork_inside.iter_mut().for_each(|located| self.located(located));
            self.connection(&mut leak.connection);
            leak.sides.iter_mut().for_each(|(_, event)| self.span(&mut event.span));
            leak.branches.iter_mut().for_each(|(_, entry)| self.entry(entry));
            for (_, close) in &mut leak.closes {
                self.span(&mut close.call);
                self.span(&mut close.arg);
            }
        }
        for leak in &mut facts.exec_leaks {
            self.span(&mut leak.exec_span);
            self.connection(&mut leak.connection);
        }
        for shared in &mut facts.shared_uses {
            self.span(&mut shared.fork_span);
            shared.fork_inside.iter_mut().for_each(|located| self.located(located));
            self.connection(&mut shared.connection);
            self.span(&mut shared.parent_use);
            self.span(&mut shared.child_use);
        }
        for fork in &mut facts.thread_forks {
            self.span(&mut fork.fork_span);
            fork.fork_inside.iter_mut().for_each(|located| self.located(located));
            self.span(&mut fork.thread_span);
        }
    }

    /// A summary of a function of any file: the places it names in the edited file move.
    pub(super) fn summary(&mut self, summary: &mut Summary) {
        summary.returns_open.iter_mut().for_each(|origin| self.origin(origin));
        summary.stores_open.iter_mut().for_each(|(_, origin)| self.origin(origin));
        summary.fork.iter_mut().for_each(|fork| self.located(&mut fork.at));
    }

    pub(super) fn seen(&mut self, seen: &mut [FunctionSeen]) {
        let found = seen.iter_mut().filter_map(|(_, found)| found.as_mut());
        found.for_each(|summary| self.summary(std::sync::Arc::make_mut(summary)));
    }
}

impl Facts {
    /// The facts of file `file` after `edit` of it; `None` when a span touches the edited
    /// range.
    pub fn moved(mut self, file: usize, edit: &TextEdit) -> Option<Facts> {
        let mut mover = Mover::new(file, edit);
        mover.facts(&mut self);
        mover.all_moved().then_some(self)
    }
}
