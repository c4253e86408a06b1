//! Control flow: conditions, `if`, `match`, loops, `break`/`continue`/`return` and `?`.
//!
//! Values of `if`/`match`/blocks/loops go to the destination the caller chose, assigned at
//! the end of each arm. Leaving scopes early (`return`, `?`, `break`, `continue`) emits the
//! `ScopeEnd`s of exactly the scopes being left.

use syn::{BinOp, Expr, UnOp};

use crate::ir::{
    BlockId, BranchEntry, CmpOp, Cond, Operand, Pattern, Place, Rvalue, Span, Terminator,
};

use super::builder::{Dest, FnBuilder, LoopFrame};
use super::spans::{block_span, closing_brace, expr_span, pat_span};
use super::MAX_DEPTH;

impl FnBuilder<'_> {
    /// Branches to `then` or `otherwise` on a condition; `&&`, `||` and `!` become nested
    /// branches, `let` patterns bind into the innermost scope.
    pub(super) fn lower_cond(
        &mut self,
        cond: &Expr,
        then: BlockId,
        otherwise: BlockId,
        depth: u32,
    ) {
        let cond = strip_parens(cond);
        let span = expr_span(cond);
        if depth > MAX_DEPTH {
            return self.terminate(Terminator::Branch {
                cond: Cond::Unknown,
                then,
                otherwise,
                span,
            });
        }
        let depth = depth + 1;
        let lowered = match cond {
            Expr::Unary(unary) if matches!(unary.op, UnOp::Not(_)) => {
                return self.lower_cond(&unary.expr, otherwise, then, depth);
            }
            Expr::Binary(binary) if matches!(binary.op, BinOp::And(_) | BinOp::Or(_)) => {
                let right = self.new_block(expr_span(&binary.right));
                match binary.op {
                    BinOp::And(_) => self.lower_cond(&binary.left, right, otherwise, depth),
                    _ => self.lower_cond(&binary.left, then, right, depth),
                }
                self.switch_to(right);
                return self.lower_cond(&binary.right, then, otherwise, depth);
            }
            Expr::Binary(binary) => match comparison(&binary.op) {
                Some(op) => {
                    let lhs = self.lower_operand(&binary.left, depth);
                    let rhs = self.lower_operand(&binary.right, depth);
                    Cond::Compare { op, lhs, rhs }
                }
                None => Cond::Truthy(self.lower_operand_at(cond, Some(span), depth)),
            },
            Expr::Let(expr_let) => {
                let value = self.lower_operand(&expr_let.expr, depth);
                let pattern = self.bind_pattern(&expr_let.pat, depth);
                Cond::Matches { value, pattern }
            }
            _ => Cond::Truthy(self.lower_operand_at(cond, Some(span), depth)),
        };
        self.terminate(Terminator::Branch { cond: lowered, then, otherwise, span });
    }

    /// `span` is the whole `if`'s, as every `lower_*` of an expression kind is given its own.
    pub(super) fn lower_if(&mut self, expr_if: &syn::ExprIf, span: Span, dest: Dest, depth: u32) {
        let then_body = block_span(&expr_if.then_branch);
        let else_branch = expr_if.else_branch.as_ref().map(|(_, else_expr)| &**else_expr);
        let else_branch = else_branch.map(|else_expr| (else_expr, expr_span(else_expr)));
        let then = self.new_block(then_body);
        let join = self.new_block(span);
        let otherwise = match else_branch {
            Some((_, else_span)) => self.new_block(else_span),
            None => join,
        };
        self.mark_if_entries(span, then_body, else_branch, [then, otherwise]);
        // `if let` bindings live in the then-branch only.
        self.push_scope();
        self.lower_cond(&expr_if.cond, then, otherwise, depth);
        self.switch_to(then);
        self.lower_block(&expr_if.then_branch, dest.clone(), depth);
        self.pop_scope(closing_brace(then_body));
        self.goto(join);
        if let Some((else_expr, else_span)) = else_branch {
            self.switch_to(otherwise);
            self.lower_spanned_expr(else_expr, else_span, dest, depth);
            self.goto(join);
        }
        self.switch_to(join);
    }

    /// Where each branch of an `if` begins, for fix-its: its body, or the `else` it lacks.
    fn mark_if_entries(
        &mut self,
        span: Span,
        then_body: Span,
        else_branch: Option<(&Expr, Span)>,
        [then, otherwise]: [BlockId; 2],
    ) {
        self.set_entry(then, BranchEntry::Body { span: then_body, braced: true });
        let entry = match else_branch {
            Some((else_expr, else_span)) => BranchEntry::Body {
                span: else_span,
                braced: matches!(else_expr, Expr::Block(block) if block.label.is_none()),
            },
            None => BranchEntry::MissingElse { if_start: span.start, then_body, then_braced: true },
        };
        self.set_entry(otherwise, entry);
    }

    /// Each arm tests its pattern (and guard) and falls through to the next arm's test; no
    /// arm matching is impossible in Rust.
    pub(super) fn lower_match(
        &mut self,
        expr_match: &syn::ExprMatch,
        span: Span,
        dest: Dest,
        depth: u32,
    ) {
        let value = self.lower_operand(&expr_match.expr, depth);
        let join = self.new_block(span);
        for arm in &expr_match.arms {
            let pat_span = pat_span(&arm.pat);
            let next = self.new_block(pat_span);
            let body_span = expr_span(&arm.body);
            let body = self.new_block(body_span);
            let braced = matches!(&*arm.body, Expr::Block(block) if block.label.is_none() && block.attrs.is_empty());
            self.set_entry(body, BranchEntry::Body { span: body_span, braced });
            self.push_scope();
            let pattern = self.bind_pattern(&arm.pat, depth);
            let test = Cond::Matches { value: value.clone(), pattern };
            let span = pat_span;
            match &arm.guard {
                Some((_, guard)) => {
                    let guarded = self.new_block(expr_span(guard));
                    let term =
                        Terminator::Branch { cond: test, then: guarded, otherwise: next, span };
                    self.terminate(term);
                    self.switch_to(guarded);
                    self.lower_cond(guard, body, next, depth);
                }
                None => self.terminate(Terminator::Branch {
                    cond: test,
                    then: body,
                    otherwise: next,
                    span,
                }),
            }
            self.switch_to(body);
            self.lower_spanned_expr(&arm.body, body_span, dest.clone(), depth);
            self.pop_scope(body_span);
            self.goto(join);
            self.switch_to(next);
        }
        self.terminate(Terminator::Unreachable);
        self.switch_to(join);
    }

    /// A block with a label can be left with `break 'label value`.
    pub(super) fn lower_labeled_block(
        &mut self,
        block: &syn::ExprBlock,
        span: Span,
        dest: Dest,
        depth: u32,
    ) {
        let Some(label) = &block.label else {
            return self.lower_block(&block.block, dest, depth);
        };
        let exit = self.new_block(span);
        self.push_loop(LoopFrame {
            label: Some(label.name.ident.to_string()),
            break_to: exit,
            continue_to: None,
            scope_depth: self.scope_depth(),
            dest: dest_place(&dest),
        });
        self.lower_block(&block.block, dest, depth);
        self.pop_loop();
        self.goto(exit);
        self.switch_to(exit);
    }

    pub(super) fn lower_loop(
        &mut self,
        expr_loop: &syn::ExprLoop,
        span: Span,
        dest: Dest,
        depth: u32,
    ) {
        let head = self.enter_loop_head(span);
        let exit = self.new_block(span);
        self.push_loop(LoopFrame {
            label: label_name(&expr_loop.label),
            break_to: exit,
            continue_to: Some(head),
            scope_depth: self.scope_depth(),
            dest: dest_place(&dest),
        });
        self.lower_block(&expr_loop.body, Dest::Discard, depth);
        self.goto(head);
        self.pop_loop();
        self.switch_to(exit);
    }

    pub(super) fn lower_while(&mut self, expr_while: &syn::ExprWhile, span: Span, depth: u32) {
        let head = self.enter_loop_head(span);
        let body_span = block_span(&expr_while.body);
        let body = self.new_block(body_span);
        let exit = self.new_block(span);
        self.push_loop(LoopFrame {
            label: label_name(&expr_while.label),
            break_to: exit,
            continue_to: Some(head),
            scope_depth: self.scope_depth(),
            dest: None,
        });
        // `while let` bindings live in the body, and end on every iteration.
        self.push_scope();
        self.lower_cond(&expr_while.cond, body, exit, depth);
        self.switch_to(body);
        self.lower_block(&expr_while.body, Dest::Discard, depth);
        self.pop_scope(closing_brace(body_span));
        self.goto(head);
        self.pop_loop();
        self.switch_to(exit);
    }

    /// `for pat in iter`: whether another item comes is unknown; the pattern binds (parts
    /// of) the iterator's items.
    pub(super) fn lower_for(&mut self, expr_for: &syn::ExprForLoop, span: Span, depth: u32) {
        let iterator_span = expr_span(&expr_for.expr);
        let iterator = self.lower_operand_at(&expr_for.expr, Some(iterator_span), depth);
        let head = self.enter_loop_head(span);
        let body_span = block_span(&expr_for.body);
        let body = self.new_block(body_span);
        let exit = self.new_block(span);
        self.terminate(Terminator::Branch {
            cond: Cond::Unknown,
            then: body,
            otherwise: exit,
            span: iterator_span,
        });
        self.switch_to(body);
        self.push_loop(LoopFrame {
            label: label_name(&expr_for.label),
            break_to: exit,
            continue_to: Some(head),
            scope_depth: self.scope_depth(),
            dest: None,
        });
        self.push_scope();
        let (_, bindings) = self.lower_pattern(&expr_for.pat, depth);
        if !bindings.is_empty() {
            let pattern_span = pat_span(&expr_for.pat);
            for &binding in &bindings {
                let item = Rvalue::Use(Operand::Expr(vec![iterator.clone()]));
                self.emit(&Dest::Into(Place::local(binding)), item, pattern_span);
            }
        }
        self.bring_into_scope(&bindings);
        self.lower_block(&expr_for.body, Dest::Discard, depth);
        self.pop_scope(closing_brace(body_span));
        self.goto(head);
        self.pop_loop();
        self.switch_to(exit);
    }

    fn enter_loop_head(&mut self, span: Span) -> BlockId {
        let head = self.new_block(span);
        self.mark_loop_head(head);
        self.goto(head);
        self.switch_to(head);
        head
    }

    pub(super) fn lower_break(&mut self, expr_break: &syn::ExprBreak, span: Span, depth: u32) {
        let label = expr_break.label.as_ref().map(|label| label.ident.to_string());
        let frame = self.find_loop(label.as_deref());
        if let Some(value) = &expr_break.expr {
            let dest =
                frame.as_ref().and_then(|f| f.dest.clone()).map_or(Dest::Discard, Dest::Into);
            self.lower_expr(value, dest, depth);
        }
        self.leave_to(frame.map(|frame| (frame.scope_depth, frame.break_to)), span);
    }

    pub(super) fn lower_continue(&mut self, expr_continue: &syn::ExprContinue, span: Span) {
        let label = expr_continue.label.as_ref().map(|label| label.ident.to_string());
        let target = self
            .find_loop(label.as_deref())
            .and_then(|frame| Some((frame.scope_depth, frame.continue_to?)));
        self.leave_to(target, span);
    }

    /// Jumps out of the scopes above `depth` to `target`; without a target (a `break`
    /// outside any loop, which rustc rejects) control goes nowhere.
    fn leave_to(&mut self, target: Option<(usize, BlockId)>, span: Span) {
        match target {
            Some((depth, block)) => {
                self.end_scopes_above(depth, span);
                self.diverge(Terminator::Goto(block), span);
            }
            None => self.diverge(Terminator::Unreachable, span),
        }
    }

    pub(super) fn lower_return(&mut self, expr_return: &syn::ExprReturn, span: Span, depth: u32) {
        let value = expr_return.expr.as_ref().map(|value| self.lower_operand(value, depth));
        self.lower_return_value(value, span);
    }

    /// Returns from the function: every live local ends, innermost first. A value reading a
    /// named local is moved into a temporary first, so the move precedes the `ScopeEnd`.
    pub(super) fn lower_return_value(&mut self, value: Option<Operand>, span: Span) {
        self.emit_return(value, span);
        self.switch_to_fresh_block(span);
    }

    /// Ends the current block with a return (see `lower_return_value`).
    pub(super) fn emit_return(&mut self, value: Option<Operand>, span: Span) {
        let value = value.map(|value| {
            if !self.reads_named_local(&value) {
                return value;
            }
            let temp = self.new_temp(span);
            self.emit(&Dest::Into(temp.clone()), Rvalue::Use(value), span);
            Operand::Place(temp)
        });
        self.end_scopes_above(0, span);
        self.terminate(Terminator::Return { value, span });
    }

    /// `e?`: on `Err` the function returns; otherwise the value is `e`'s.
    pub(super) fn lower_try(&mut self, expr_try: &syn::ExprTry, span: Span, depth: u32) -> Operand {
        let value = match self.lower_operand(&expr_try.expr, depth) {
            Operand::Place(place) => place,
            other => {
                let temp = self.new_temp(span);
                self.emit(&Dest::Into(temp.clone()), Rvalue::Use(other), span);
                temp
            }
        };
        let returns = self.new_block(span);
        let goes_on = self.new_block(span);
        let pattern = Pattern::Ctor { name: "Err".into(), fields: vec![Pattern::Wild] };
        let cond = Cond::Matches { value: Operand::Place(value.clone()), pattern };
        self.terminate(Terminator::Branch { cond, then: returns, otherwise: goes_on, span });
        self.switch_to(returns);
        self.end_scopes_above(0, span);
        self.terminate(Terminator::Return { value: None, span });
        self.switch_to(goes_on);
        Operand::Place(value)
    }
}

fn strip_parens(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(paren) => &paren.expr,
            Expr::Group(group) => &group.expr,
            _ => return expr,
        }
    }
}

fn comparison(op: &BinOp) -> Option<CmpOp> {
    Some(match op {
        BinOp::Eq(_) => CmpOp::Eq,
        BinOp::Ne(_) => CmpOp::Ne,
        BinOp::Lt(_) => CmpOp::Lt,
        BinOp::Le(_) => CmpOp::Le,
        BinOp::Gt(_) => CmpOp::Gt,
        BinOp::Ge(_) => CmpOp::Ge,
        _ => return None,
    })
}

fn label_name(label: &Option<syn::Label>) -> Option<String> {
    label.as_ref().map(|label| label.name.ident.to_string())
}

fn dest_place(dest: &Dest) -> Option<Place> {
    match dest {
        Dest::Into(place) => Some(place.clone()),
        Dest::Discard => None,
    }
}
