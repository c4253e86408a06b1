//! Every byte offset a function's IR holds, for moving a function kept across an edit by the
//! edit's length (the language server), or lowered from a slice of its file to the file's own
//! offsets (the Rust frontend reparsing one item).

use super::{BranchEntry, Function, Rvalue, Span, StmtKind, Terminator};

impl Function {
    /// Calls `visit` on every byte offset of the function: its spans' ends and the branch
    /// entries' positions.
    pub fn for_each_offset(&mut self, visit: &mut impl FnMut(&mut usize)) {
        span(visit, &mut self.span);
        span(visit, &mut self.name_span);
        self.locals.iter_mut().for_each(|local| span(visit, &mut local.span));
        self.declarations.iter_mut().for_each(|declaration| span(visit, declaration));
        for block in &mut self.blocks {
            span(visit, &mut block.span);
            match &mut block.entry {
                Some(BranchEntry::Body { span: body, .. }) => span(visit, body),
                Some(BranchEntry::MissingElse { if_start, then_body, .. }) => {
                    visit(if_start);
                    span(visit, then_body);
                }
                None => {}
            }
            for stmt in &mut block.stmts {
                span(visit, &mut stmt.span);
                match &mut stmt.kind {
                    StmtKind::Assign { value: Rvalue::Call(call), .. }
                    | StmtKind::Eval(Rvalue::Call(call)) => {
                        span(visit, &mut call.span);
                        span(visit, &mut call.callee_span);
                        call.arg_spans.iter_mut().for_each(|arg| span(visit, arg));
                    }
                    StmtKind::Assign { .. } | StmtKind::Eval(_) | StmtKind::ScopeEnd(_) => {}
                }
            }
            match &mut block.term {
                Terminator::Branch { span: at, .. } | Terminator::Return { span: at, .. } => {
                    span(visit, at)
                }
                Terminator::Goto(_) | Terminator::Unreachable => {}
            }
        }
    }

    /// Moves every offset of the function by `delta` bytes.
    pub fn move_by(&mut self, delta: isize) {
        if delta != 0 {
            self.for_each_offset(&mut |offset| *offset = offset.wrapping_add_signed(delta));
        }
    }
}

fn span(visit: &mut impl FnMut(&mut usize), span: &mut Span) {
    visit(&mut span.start);
    visit(&mut span.end);
}
