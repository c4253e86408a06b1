//! Blocks and statements: scopes, `let` in its several shapes, and the function body, whose
//! tail expression is the return value.

use syn::{Expr, Pat, Stmt};

use crate::ir::{Cond, Operand, Place, Rvalue, Span, StmtKind, Terminator};

use super::builder::{Dest, FnBuilder};
use super::spans::{expr_span, known_token_span, local_span, pat_span, stmt_macro_span};
use super::{join_spans, MAX_DEPTH};

impl FnBuilder<'_> {
    /// A block in its own scope; its tail expression's value goes to `dest`.
    pub(super) fn lower_block(&mut self, block: &syn::Block, dest: Dest, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        self.push_scope();
        if let Some(tail) = self.lower_stmts(&block.stmts, depth + 1) {
            self.lower_expr(tail, dest, depth + 1);
        }
        self.pop_scope(close_brace(block));
    }

    /// The function body: like a block, but leaving it returns, ending the parameters too.
    /// Without a declared return type the tail is unit and only run for its effect.
    pub(super) fn lower_body(&mut self, body: &syn::Block, returns_value: bool) {
        self.push_scope();
        match self.lower_stmts(&body.stmts, 1) {
            Some(tail) if returns_value => {
                let span = expr_span(tail);
                let value = self.lower_operand_at(tail, Some(span), 1);
                self.emit_return(Some(value), span);
            }
            Some(tail) => {
                self.lower_expr(tail, Dest::Discard, 1);
                self.emit_return(None, close_brace(body));
            }
            None => self.emit_return(None, close_brace(body)),
        }
    }

    /// Lowers every statement but a trailing expression without `;`, which is returned.
    fn lower_stmts<'s>(&mut self, stmts: &'s [Stmt], depth: u32) -> Option<&'s Expr> {
        let (last, init) = match stmts.split_last() {
            Some((Stmt::Expr(tail, None), init)) => (Some(tail), init),
            _ => (None, stmts),
        };
        for stmt in init {
            self.lower_stmt(stmt, depth);
        }
        last
    }

    fn lower_stmt(&mut self, stmt: &Stmt, depth: u32) {
        match stmt {
            Stmt::Local(local) => self.lower_let(local, depth),
            Stmt::Expr(expr, _) => self.lower_expr(expr, Dest::Discard, depth),
            Stmt::Macro(stmt_macro) => {
                let span = stmt_macro_span(stmt_macro);
                let (callee, callee_span, args) = self.macro_call(&stmt_macro.mac, depth);
                let call =
                    crate::ir::Call { callee, args, span, callee_span, arg_spans: Vec::new() };
                self.emit(&Dest::Discard, Rvalue::Call(call), span);
                self.diverge_if_panics(&stmt_macro.mac, span);
            }
            // Items are not statements: `use` was read before the body, nested functions
            // are lowered on their own (see `items::nested_items`).
            Stmt::Item(_) => {}
        }
    }

    /// `let` in its shapes: a name, a destructuring pattern, `let … else`, no initialiser.
    fn lower_let(&mut self, local: &syn::Local, depth: u32) {
        let pat = strip_type_ascription(&local.pat);
        let Some(init) = &local.init else {
            let (_, bindings) = self.lower_pattern(pat, depth);
            self.bring_into_scope(&bindings);
            return;
        };
        let span = local_span(local);
        if let Some((_, otherwise)) = &init.diverge {
            return self.lower_let_else(pat, &init.expr, otherwise, span, depth);
        }
        self.note_declaration(span);
        match pat {
            Pat::Ident(ident) if ident.subpat.is_none() => {
                let name = ident.ident.to_string();
                let span = known_token_span(ident.ident.span(), &name);
                let id = self.new_local(name, span);
                // The name becomes visible only after the initialiser (`let x = x + 1`).
                self.lower_expr(&init.expr, Dest::Into(Place::local(id)), depth);
                self.declare(id);
            }
            // `let _ = e;` drops the value at once.
            Pat::Wild(_) => self.lower_expr(&init.expr, Dest::Discard, depth),
            _ => self.lower_destructuring(pat, &init.expr, span, depth),
        }
    }

    /// `let (a, b) = e;`: each bound name receives (a part of) the value.
    fn lower_destructuring(&mut self, pat: &Pat, init: &Expr, span: Span, depth: u32) {
        let value = self.lower_operand(init, depth);
        let (_, bindings) = self.lower_pattern(pat, depth);
        for &binding in &bindings {
            let target = Place::local(binding);
            let value = Rvalue::Use(Operand::Expr(vec![value.clone()]));
            self.push_stmt(StmtKind::Assign { target, value }, span);
        }
        self.bring_into_scope(&bindings);
    }

    /// `let PAT = e else { diverge };`: a branch whose failing side runs the else block.
    fn lower_let_else(&mut self, pat: &Pat, init: &Expr, otherwise: &Expr, span: Span, depth: u32) {
        let value = self.lower_operand(init, depth);
        let (pattern, bindings) = self.lower_pattern(pat, depth);
        let matched = self.new_block(span);
        let failed = self.new_block(expr_span(otherwise));
        let cond = Cond::Matches { value, pattern };
        let branch_span = join_spans(pat_span(pat), expr_span(init));
        self.terminate(Terminator::Branch {
            cond,
            then: matched,
            otherwise: failed,
            span: branch_span,
        });
        self.switch_to(failed);
        self.lower_expr(otherwise, Dest::Discard, depth);
        // The else block must diverge; if it visibly does not, control still cannot go on.
        self.terminate(Terminator::Unreachable);
        self.switch_to(matched);
        self.bring_into_scope(&bindings);
    }
}

fn strip_type_ascription(pat: &Pat) -> &Pat {
    match pat {
        Pat::Type(typed) => &typed.pat,
        other => other,
    }
}

/// Where a block's locals are dropped.
fn close_brace(block: &syn::Block) -> Span {
    known_token_span(block.brace_token.span.close(), "}")
}
