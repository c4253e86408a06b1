//! Expressions: operands, places, calls (hoisted into temporaries) and the dispatch between
//! "an expression evaluated for its effect or into a destination" (`lower_expr`) and "an
//! expression whose value is needed as an operand" (`lower_operand`).
//!
//! Invariant: `is_statement_like` decides which of the two handles a kind; each falls back
//! to the other only for the kinds it does not handle, so they never bounce forever.

use syn::{BinOp, Expr, Lit, Member, UnOp};

use crate::ir::{Call, Callee, Operand, Projection, Rvalue, Span, StmtKind};

use super::builder::{Dest, FnBuilder};
use super::paths::{single_identifier, PathKind};
use super::punctuated;
use super::spans::{expr_span, known_token_span, path_span};
use super::MAX_DEPTH;

impl FnBuilder<'_> {
    /// Lowers an expression whose value goes to `dest` (or nowhere).
    pub(super) fn lower_expr(&mut self, expr: &Expr, dest: Dest, depth: u32) {
        self.lower_expr_at(expr, None, dest, depth)
    }

    /// `lower_expr` when the caller has the expression's span already.
    pub(super) fn lower_spanned_expr(&mut self, expr: &Expr, span: Span, dest: Dest, depth: u32) {
        self.lower_expr_at(expr, Some(span), dest, depth)
    }

    /// `known` is the span of `expr` as written, if the caller has it. Finding a span is the
    /// costly part of lowering a small expression, so it is found once, and only for the
    /// kinds that record it.
    fn lower_expr_at(&mut self, expr: &Expr, known: Option<Span>, dest: Dest, depth: u32) {
        let stripped = strip_transparent(expr);
        let known = known.filter(|_| std::ptr::eq(stripped, expr));
        let expr = stripped;
        let span = || known.unwrap_or_else(|| expr_span(expr));
        if depth > MAX_DEPTH {
            self.emit(&dest, Rvalue::Use(Operand::Unknown), span());
            return;
        }
        let depth = depth + 1;
        match expr {
            Expr::Call(call) if self.is_constructor(&call.func) => {
                let value = Operand::Expr(self.operands(punctuated::values(&call.args), depth));
                self.emit(&dest, Rvalue::Use(value), span());
            }
            Expr::Call(_) | Expr::MethodCall(_) | Expr::Macro(_) => {
                let span = span();
                if let Some(call) = self.lower_call(expr, span, depth) {
                    self.emit(&dest, Rvalue::Call(call), span);
                }
                if let Expr::Macro(mac) = expr {
                    self.diverge_if_panics(&mac.mac, span);
                }
            }
            Expr::Block(block) if block.label.is_none() => {
                self.lower_block(&block.block, dest, depth)
            }
            Expr::Block(block) => self.lower_labeled_block(block, span(), dest, depth),
            Expr::Unsafe(unsafe_block) => self.lower_block(&unsafe_block.block, dest, depth),
            Expr::TryBlock(try_block) => self.lower_block(&try_block.block, dest, depth),
            Expr::If(expr_if) => self.lower_if(expr_if, span(), dest, depth),
            Expr::Match(expr_match) => self.lower_match(expr_match, span(), dest, depth),
            Expr::Loop(expr_loop) => self.lower_loop(expr_loop, span(), dest, depth),
            Expr::While(expr_while) => self.lower_while(expr_while, span(), depth),
            Expr::ForLoop(expr_for) => self.lower_for(expr_for, span(), depth),
            Expr::Return(expr_return) => self.lower_return(expr_return, span(), depth),
            Expr::Break(expr_break) => self.lower_break(expr_break, span(), depth),
            Expr::Continue(expr_continue) => self.lower_continue(expr_continue, span()),
            Expr::Try(expr_try) => {
                let span = span();
                let value = self.lower_try(expr_try, span, depth);
                self.emit(&dest, Rvalue::Use(value), span);
            }
            Expr::Assign(assign) => self.lower_assign(&assign.left, &assign.right, depth),
            Expr::Binary(binary) if is_compound_assignment(&binary.op) => {
                self.lower_compound_assign(&binary.left, &binary.right, span(), depth)
            }
            _ => {
                let value = self.lower_operand(expr, depth);
                self.emit(&dest, Rvalue::Use(value), span());
            }
        }
    }

    /// Lowers an expression whose value is needed: calls and control flow are hoisted into a
    /// temporary and the operand reads it.
    pub(super) fn lower_operand(&mut self, expr: &Expr, depth: u32) -> Operand {
        self.lower_operand_at(expr, None, depth)
    }

    /// `lower_operand` with the span of `expr` as written, when the caller has it.
    pub(super) fn lower_operand_at(
        &mut self,
        expr: &Expr,
        span: Option<Span>,
        depth: u32,
    ) -> Operand {
        let stripped = strip_transparent(expr);
        let span = span.filter(|_| std::ptr::eq(stripped, expr));
        let expr = stripped;
        if depth > MAX_DEPTH {
            return Operand::Unknown;
        }
        let depth = depth + 1;
        let span_of_expr = || span.unwrap_or_else(|| expr_span(expr));
        if let Expr::Try(expr_try) = expr {
            return self.lower_try(expr_try, span_of_expr(), depth);
        }
        if let Expr::Call(call) = expr {
            if self.is_constructor(&call.func) {
                return Operand::Expr(self.operands(punctuated::values(&call.args), depth));
            }
        }
        if is_statement_like(expr) {
            return self.hoist(expr, span_of_expr(), depth);
        }
        match expr {
            Expr::Path(path) => self.path_operand(path),
            Expr::Lit(lit) => literal_operand(&lit.lit),
            Expr::Unary(unary) => self.unary_operand(unary, depth),
            Expr::Reference(reference) => as_reference(self.lower_operand(&reference.expr, depth)),
            Expr::RawAddr(raw) => as_reference(self.lower_operand(&raw.expr, depth)),
            Expr::Field(field) => {
                let base = self.lower_operand(&field.base, depth);
                project(base, Projection::Field(member_name(&field.member)))
            }
            Expr::Index(index) => {
                let base = self.lower_operand(&index.expr, depth);
                let _ = self.lower_operand(&index.index, depth);
                project(base, Projection::Index)
            }
            Expr::Binary(binary) if is_short_circuit(&binary.op) && has_effects(&binary.right) => {
                self.short_circuit_value(expr, depth)
            }
            Expr::Binary(binary) => {
                let parts = [&*binary.left, &*binary.right];
                self.compound(parts, depth)
            }
            Expr::Tuple(tuple) => self.compound(punctuated::values(&tuple.elems), depth),
            Expr::Array(array) => self.compound(punctuated::values(&array.elems), depth),
            Expr::Repeat(repeat) => self.compound([&*repeat.expr, &*repeat.len], depth),
            Expr::Range(range) => {
                let ends = range.start.iter().chain(range.end.iter()).map(|end| &**end);
                self.compound(ends, depth)
            }
            Expr::Struct(literal) => {
                let values = punctuated::values(&literal.fields).map(|field| &field.expr);
                self.compound(values.chain(literal.rest.as_deref()), depth)
            }
            Expr::Closure(closure) => self.closure_operand(closure),
            Expr::Async(block) => self.async_operand(block),
            _ => Operand::Unknown,
        }
    }

    /// Evaluates a statement-like expression (stripped, with its span) into a fresh temporary.
    fn hoist(&mut self, expr: &Expr, span: Span, depth: u32) -> Operand {
        let temp = self.new_temp(span);
        self.lower_expr_at(expr, Some(span), Dest::Into(temp.clone()), depth);
        Operand::Place(temp)
    }

    fn compound<'e>(&mut self, parts: impl IntoIterator<Item = &'e Expr>, depth: u32) -> Operand {
        Operand::Expr(parts.into_iter().map(|part| self.lower_operand(part, depth)).collect())
    }

    fn unary_operand(&mut self, unary: &syn::ExprUnary, depth: u32) -> Operand {
        let inner = self.lower_operand(&unary.expr, depth);
        match (&unary.op, inner) {
            (UnOp::Deref(_), inner) => project(inner, Projection::Deref),
            (UnOp::Neg(_), Operand::Int(value)) => Operand::Int(value.wrapping_neg()),
            (_, inner) => Operand::Expr(vec![inner]),
        }
    }

    /// `a && f()` as a value: the right side runs only sometimes, so branch like `if` does.
    fn short_circuit_value(&mut self, expr: &Expr, depth: u32) -> Operand {
        let span = expr_span(expr);
        let temp = self.new_temp(span);
        let (when_true, when_false, join) =
            (self.new_block(span), self.new_block(span), self.new_block(span));
        self.lower_cond(expr, when_true, when_false, depth);
        for (block, value) in [(when_true, "true"), (when_false, "false")] {
            self.switch_to(block);
            self.emit(&Dest::Into(temp.clone()), Rvalue::Use(Operand::Const(value.into())), span);
            self.goto(join);
        }
        self.switch_to(join);
        Operand::Place(temp)
    }

    fn lower_assign(&mut self, left: &Expr, right: &Expr, depth: u32) {
        match self.lower_operand(left, depth) {
            Operand::Place(target) => self.lower_expr(right, Dest::Into(target), depth),
            // `_ = f()` and other non-places: the value is dropped.
            _ => self.lower_expr(right, Dest::Discard, depth),
        }
    }

    /// `a += b` reads and writes `a`.
    fn lower_compound_assign(&mut self, left: &Expr, right: &Expr, span: Span, depth: u32) {
        let right = self.lower_operand(right, depth);
        let left = self.lower_operand(left, depth);
        if let Operand::Place(target) = &left {
            let value = Rvalue::Use(Operand::Expr(vec![left.clone(), right]));
            self.push_stmt(StmtKind::Assign { target: target.clone(), value }, span);
        }
    }

    // ---- constructors ----

    /// A capitalised callee is a tuple struct or variant by Rust's naming convention
    /// (`Some(stream)`, `Ok(conn)`, `FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)`): building a value
    /// has no effect, so it is an operand over its arguments rather than a call.
    fn is_constructor(&self, func: &Expr) -> bool {
        let Expr::Path(path) = strip_transparent(func) else { return false };
        matches!(self.path_kind(&path.path), PathKind::Constant)
    }

    // ---- calls ----

    /// A call, method call or macro invocation (`span` is its own), its arguments lowered
    /// (and hoisted) first.
    pub(super) fn lower_call(&mut self, expr: &Expr, span: Span, depth: u32) -> Option<Call> {
        let (callee, callee_span, args, arg_spans) = match expr {
            Expr::Call(call) => {
                let (callee, callee_span) = self.callee(&call.func, depth);
                let arg_spans: Vec<Span> = punctuated::values(&call.args).map(expr_span).collect();
                let args =
                    self.spanned_operands(punctuated::values(&call.args).zip(&arg_spans), depth);
                (callee, callee_span, args, arg_spans)
            }
            Expr::MethodCall(call) => {
                let receiver = std::iter::once(&*call.receiver);
                let exprs = || receiver.clone().chain(punctuated::values(&call.args));
                let arg_spans: Vec<Span> = exprs().map(expr_span).collect();
                let args = self.spanned_operands(exprs().zip(&arg_spans), depth);
                let method = call.method.to_string();
                let method_span = known_token_span(call.method.span(), &method);
                (Callee::Method(method), method_span, args, arg_spans)
            }
            Expr::Macro(mac) => {
                let (callee, callee_span, args) = self.macro_call(&mac.mac, depth);
                (callee, callee_span, args, Vec::new())
            }
            _ => return None,
        };
        Some(Call { callee, args, span, callee_span, arg_spans })
    }

    pub(super) fn operands<'e>(
        &mut self,
        exprs: impl IntoIterator<Item = &'e Expr>,
        depth: u32,
    ) -> Vec<Operand> {
        exprs.into_iter().map(|expr| self.lower_operand(expr, depth)).collect()
    }

    /// Arguments whose spans the call records anyway: a hoisted one reuses its span.
    fn spanned_operands<'e>(
        &mut self,
        exprs: impl IntoIterator<Item = (&'e Expr, &'e Span)>,
        depth: u32,
    ) -> Vec<Operand> {
        let lower = |(expr, span): (&Expr, &Span)| self.lower_operand_at(expr, Some(*span), depth);
        exprs.into_iter().map(lower).collect()
    }

    /// A path names a function; anything else (a closure variable, `(self.f)`) is unknown.
    fn callee(&mut self, func: &Expr, depth: u32) -> (Callee, Span) {
        let func = strip_transparent(func);
        if let Expr::Path(path) = func {
            let is_variable =
                single_identifier(&path.path).is_some_and(|n| self.lookup_ident(n).is_some());
            if !is_variable {
                return (Callee::Path(self.imports.resolve(&path.path)), path_span(&path.path));
            }
        }
        let _ = self.lower_operand(func, depth);
        (Callee::Unknown, expr_span(func))
    }
}

/// Parentheses, casts and `.await` do not change which value flows.
pub(super) fn strip_transparent(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Paren(paren) => &paren.expr,
            Expr::Group(group) => &group.expr,
            Expr::Cast(cast) => &cast.expr,
            Expr::Await(await_expr) => &await_expr.base,
            _ => return expr,
        }
    }
}

/// Kinds `lower_expr` handles itself; as operands they are hoisted into a temporary.
fn is_statement_like(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(binary) => is_compound_assignment(&binary.op),
        _ => matches!(
            expr,
            Expr::Call(_)
                | Expr::MethodCall(_)
                | Expr::Macro(_)
                | Expr::Block(_)
                | Expr::Unsafe(_)
                | Expr::TryBlock(_)
                | Expr::If(_)
                | Expr::Match(_)
                | Expr::Loop(_)
                | Expr::While(_)
                | Expr::ForLoop(_)
                | Expr::Return(_)
                | Expr::Break(_)
                | Expr::Continue(_)
                | Expr::Assign(_)
        ),
    }
}

fn is_compound_assignment(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

pub(super) fn is_short_circuit(op: &BinOp) -> bool {
    matches!(op, BinOp::And(_) | BinOp::Or(_))
}

/// Whether evaluating the expression may call something or transfer control; decides if
/// `a && b` needs real branches to keep `b`'s effects conditional.
fn has_effects(expr: &Expr) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            if is_statement_like(expr) || matches!(expr, Expr::Try(_)) {
                self.0 = true;
            } else if !self.0 {
                syn::visit::visit_expr(self, expr);
            }
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

fn literal_operand(lit: &Lit) -> Operand {
    match lit {
        Lit::Int(int) => int.base10_parse::<i64>().map_or(Operand::Unknown, Operand::Int),
        Lit::Str(text) => Operand::Str(text.value()),
        Lit::Bool(flag) => Operand::Const(flag.value.to_string()),
        _ => Operand::Unknown,
    }
}

fn as_reference(operand: Operand) -> Operand {
    match operand {
        Operand::Place(place) => Operand::Ref(place),
        other => other,
    }
}

/// Projects a place; `(&x).f` reads through the reference; anything else keeps its parts.
fn project(base: Operand, projection: Projection) -> Operand {
    match base {
        Operand::Place(mut place) | Operand::Ref(mut place) => {
            place.projections.push(projection);
            Operand::Place(place)
        }
        other => Operand::Expr(vec![other]),
    }
}

fn member_name(member: &Member) -> String {
    match member {
        Member::Named(ident) => ident.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
}
