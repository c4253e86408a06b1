//! Statements: each appends to the current block or ends it with jumps.

use tree_sitter::Node;

use crate::ir::{BlockId, BranchEntry, Cond, Place, Rvalue, Span, StmtKind, Terminator};

use super::builder::{FnBuilder, JumpTargets};
use super::literals::parse_int;
use super::syntax::{
    declarator_parts, declarators, fields, first_named_child, named_children,
    named_children_except, span_of, strip_parens, text_of, Kind, NodeKind,
};

impl FnBuilder<'_> {
    pub(super) fn stmt(&mut self, node: Node<'_>) {
        if !self.enter(node) {
            return;
        }
        self.stmt_inner(node);
        self.leave();
    }

    fn stmt_inner(&mut self, node: Node<'_>) {
        match node.syntax_kind() {
            Kind::CompoundStatement => self.block(node),
            Kind::Declaration => self.declaration(node),
            Kind::ExpressionStatement => self.expression_statement(node),
            Kind::IfStatement => self.if_statement(node),
            Kind::WhileStatement => self.while_statement(node),
            Kind::ForStatement => self.for_statement(node),
            Kind::DoStatement => self.do_statement(node),
            Kind::SwitchStatement => self.switch_statement(node),
            Kind::BreakStatement => self.jump_out(|targets| Some(targets.break_to)),
            Kind::ContinueStatement => self.jump_out(|targets| targets.continue_to),
            Kind::ReturnStatement => self.return_statement(node),
            Kind::GotoStatement => self.goto_statement(node),
            Kind::LabeledStatement => self.labeled_statement(node),
            Kind::PreprocIf | Kind::PreprocIfdef | Kind::PreprocElif | Kind::PreprocElifdef => {
                self.preproc_conditional(node)
            }
            Kind::PreprocElse => self.stmts(&named_children(node)),
            // `case` outside the switch's own body (Duff's device): its statements run.
            Kind::CaseStatement => {
                let value = node.child_by_field_id(fields().value);
                self.stmts(&named_children_except(node, &[value]));
            }
            Kind::AttributedStatement => self.stmts(&named_children(node)),
            Kind::Error => self.error_contents(node),
            // Directives, nested type and function definitions: nothing runs.
            _ => {}
        }
    }

    pub(super) fn stmts(&mut self, nodes: &[Node<'_>]) {
        for node in nodes {
            self.stmt(*node);
        }
    }

    /// `{ ... }` with its own scope.
    pub(super) fn block(&mut self, node: Node<'_>) {
        self.push_scope();
        self.stmts(&named_children(node));
        self.pop_scope();
    }

    /// `e;` (or `;`). Error recovery may put an `ERROR` beside the expression.
    fn expression_statement(&mut self, node: Node<'_>) {
        for child in named_children(node) {
            match child.syntax_kind() {
                Kind::Error => self.error_contents(child),
                _ => self.effect(child),
            }
        }
    }

    /// An `ERROR` node (already reported) often still holds whole statements and calls,
    /// e.g. after a macro used without `;`: lower what is recognisable.
    fn error_contents(&mut self, node: Node<'_>) {
        for child in named_children(node) {
            match child.kind_name() {
                "init_declarator" => self.declarator(child),
                kind if kind.ends_with("_expression") => self.effect(child),
                kind if kind.ends_with("_statement") || kind == "declaration" => self.stmt(child),
                _ => {}
            }
        }
    }

    fn declaration(&mut self, node: Node<'_>) {
        // `extern int g;` names a global: it is no local of this function.
        let Some(declarators) = declarators(node, self.text) else { return };
        if declarators.iter().any(|d| d.syntax_kind() == Kind::InitDeclarator) {
            self.declarations.push(span_of(node));
        }
        for declarator in declarators {
            self.declarator(declarator);
        }
    }

    /// One declarator: a new local, assigned if it has an initialiser.
    fn declarator(&mut self, node: Node<'_>) {
        let (target, value) = match node.syntax_kind() {
            Kind::InitDeclarator => (
                node.child_by_field_id(fields().declarator),
                node.child_by_field_id(fields().value),
            ),
            _ => (Some(node), None),
        };
        let parts = target.map(declarator_parts);
        let declared =
            parts.as_ref().filter(|parts| !parts.declares_function).and_then(|parts| parts.name);
        let Some(name) = declared.filter(|name| !name.is_missing()) else {
            return;
        };
        // C scope starts at the end of the declarator, before the initialiser.
        let local = self.declare(text_of(name, self.text), span_of(name));
        if let Some(value) = value {
            let value = self.rvalue(value);
            let target = Place::local(local);
            self.emit(StmtKind::Assign { target, value }, span_of(node));
        }
    }

    fn if_statement(&mut self, node: Node<'_>) {
        let consequence = node.child_by_field_id(fields().consequence);
        let alternative = node.child_by_field_id(fields().alternative).and_then(first_named_child);
        let then = self.new_block(consequence.map_or(span_of(node), span_of));
        let otherwise = alternative.map(|alt| self.new_block(span_of(alt)));
        let join = self.new_block(end_of(node));
        self.mark_if_entries(node, (then, consequence), (otherwise, alternative), join);
        self.branch_on_condition(node, then, otherwise.unwrap_or(join));
        self.fall_into(then);
        if let Some(consequence) = consequence {
            self.stmt(consequence);
        }
        self.goto(join);
        if let (Some(block), Some(alternative)) = (otherwise, alternative) {
            self.fall_into(block);
            self.stmt(alternative);
            self.goto(join);
        }
        self.fall_into(join);
    }

    /// Where each branch of an `if` begins, for fix-its: its body, or the `else` it lacks.
    fn mark_if_entries(
        &mut self,
        node: Node<'_>,
        (then, consequence): (BlockId, Option<Node<'_>>),
        (otherwise, alternative): (Option<BlockId>, Option<Node<'_>>),
        join: BlockId,
    ) {
        let body = |node: Node<'_>| BranchEntry::Body {
            span: span_of(node),
            braced: node.syntax_kind() == Kind::CompoundStatement,
        };
        let Some(consequence) = consequence.filter(|c| !c.is_missing()) else { return };
        self.set_block_entry(then, body(consequence));
        match (otherwise, alternative) {
            (Some(block), Some(alternative)) => self.set_block_entry(block, body(alternative)),
            _ => self.set_block_entry(
                join,
                BranchEntry::MissingElse {
                    if_start: node.start_byte(),
                    then_body: span_of(consequence),
                    then_braced: consequence.syntax_kind() == Kind::CompoundStatement,
                },
            ),
        }
    }

    /// Branches on the statement's `condition` field; a missing one is unknown.
    fn branch_on_condition(&mut self, node: Node<'_>, then: BlockId, otherwise: BlockId) {
        let condition = node.child_by_field_id(fields().condition);
        self.branch_on_found(node, condition, then, otherwise);
    }

    /// `branch_on_condition` with the statement's `condition` field already looked up.
    fn branch_on_found(
        &mut self,
        node: Node<'_>,
        condition: Option<Node<'_>>,
        then: BlockId,
        otherwise: BlockId,
    ) {
        match condition {
            Some(condition) => self.branch_on(condition, then, otherwise),
            None => {
                let span = span_of(node);
                let term = Terminator::Branch { cond: Cond::Unknown, then, otherwise, span };
                self.terminate(term);
            }
        }
    }

    fn while_statement(&mut self, node: Node<'_>) {
        let condition = node.child_by_field_id(fields().condition);
        let body = node.child_by_field_id(fields().body);
        let head = self.new_loop_head(condition.map_or(span_of(node), span_of));
        let body_block = self.new_block(body.map_or(span_of(node), span_of));
        let exit = self.new_block(end_of(node));
        self.fall_into(head);
        self.loop_test(node, condition, body_block, exit);
        self.loop_body(
            body,
            body_block,
            JumpTargets { break_to: exit, continue_to: Some(head) },
            head,
        );
        self.fall_into(exit);
    }

    fn for_statement(&mut self, node: Node<'_>) {
        // A declaration in the initialiser is scoped to the loop.
        self.push_scope();
        if let Some(initializer) = node.child_by_field_id(fields().initializer) {
            match initializer.syntax_kind() {
                Kind::Declaration => self.declaration(initializer),
                _ => self.effect(initializer),
            }
        }
        let condition = node.child_by_field_id(fields().condition);
        let body = node.child_by_field_id(fields().body);
        let update = node.child_by_field_id(fields().update);
        let head = self.new_loop_head(condition.map_or(span_of(node), span_of));
        let body_block = self.new_block(body.map_or(span_of(node), span_of));
        let update_block = self.new_block(update.map_or(span_of(node), span_of));
        let exit = self.new_block(end_of(node));
        self.fall_into(head);
        match condition {
            Some(_) => self.loop_test(node, condition, body_block, exit),
            None => self.goto(body_block),
        }
        let targets = JumpTargets { break_to: exit, continue_to: Some(update_block) };
        self.loop_body(body, body_block, targets, update_block);
        self.fall_into(update_block);
        if let Some(update) = update {
            self.effect(update);
        }
        self.goto(head);
        self.pop_scope();
        self.fall_into(exit);
    }

    fn do_statement(&mut self, node: Node<'_>) {
        let condition = node.child_by_field_id(fields().condition);
        let body = node.child_by_field_id(fields().body);
        let body_block = self.new_loop_head(body.map_or(span_of(node), span_of));
        let test = self.new_block(condition.map_or(span_of(node), span_of));
        let exit = self.new_block(end_of(node));
        self.fall_into(body_block);
        self.loop_body(
            body,
            body_block,
            JumpTargets { break_to: exit, continue_to: Some(test) },
            test,
        );
        self.fall_into(test);
        self.loop_test(node, condition, body_block, exit);
        self.fall_into(exit);
    }

    /// The loop's test. `while (1)` and `do ... while (0)` are the idioms for "forever" and
    /// "once": a literal condition jumps without a branch, so the analysis sees no path
    /// out of an endless loop.
    fn loop_test(
        &mut self,
        node: Node<'_>,
        condition: Option<Node<'_>>,
        body: BlockId,
        exit: BlockId,
    ) {
        let literal = condition
            .map(strip_parens)
            .filter(|c| matches!(c.syntax_kind(), Kind::NumberLiteral | Kind::True));
        match literal.map(|c| parse_int(text_of(c, self.text)).unwrap_or(1)) {
            Some(0) => self.goto(exit),
            Some(_) => self.goto(body),
            None => self.branch_on_found(node, condition, body, exit),
        }
    }

    /// Lowers a loop body with its `break`/`continue` targets, then jumps to `next`.
    fn loop_body(
        &mut self,
        body: Option<Node<'_>>,
        block: BlockId,
        targets: JumpTargets,
        next: BlockId,
    ) {
        self.fall_into(block);
        self.jump_targets.push(targets);
        if let Some(body) = body {
            self.stmt(body);
        }
        self.jump_targets.pop();
        self.goto(next);
    }

    fn jump_out(&mut self, target: impl Fn(&JumpTargets) -> Option<BlockId>) {
        // The innermost construct that has such a target (`continue` skips switches).
        match self.jump_targets.iter().rev().find_map(target) {
            Some(block) => self.goto(block),
            // A stray `break` outside any loop: control stops here as far as we know.
            None => self.terminate(Terminator::Unreachable),
        }
    }

    fn return_statement(&mut self, node: Node<'_>) {
        let value = first_named_child(node).map(|expression| match self.rvalue(expression) {
            // A returned call is still a statement of its own.
            Rvalue::Call(call) => {
                let span = call.span;
                self.hoist(Rvalue::Call(call), span)
            }
            Rvalue::Use(operand) => operand,
        });
        let span = span_of(node);
        self.terminate(Terminator::Return { value, span });
    }

    fn goto_statement(&mut self, node: Node<'_>) {
        let Some(label) = node.child_by_field_id(fields().label) else { return };
        let target = self.label_block(text_of(label, self.text), span_of(node));
        self.goto(target);
    }

    fn labeled_statement(&mut self, node: Node<'_>) {
        let label = node.child_by_field_id(fields().label);
        if let Some(label) = label {
            let block = self.label_block(text_of(label, self.text), span_of(node));
            self.set_block_span(block, span_of(node));
            self.fall_into(block);
        }
        let statements = named_children_except(node, &[label]);
        self.stmts(&statements);
    }

    /// `#if`/`#ifdef` in a body: either part may be compiled, so it is a branch on an
    /// unknown condition; `#elif` chains nest in the else part.
    fn preproc_conditional(&mut self, node: Node<'_>) {
        let condition = node.child_by_field_id(fields().condition);
        let name = node.child_by_field_id(fields().name);
        let alternative = node.child_by_field_id(fields().alternative);
        let body = named_children_except(node, &[condition, name, alternative]);
        let guard = condition.or(name);
        let then = self.new_block(body.first().map_or(span_of(node), |first| span_of(*first)));
        let otherwise = alternative.map(|alt| self.new_block(span_of(alt)));
        let join = self.new_block(end_of(node));
        let span = guard.map_or(span_of(node), span_of);
        let cond = Cond::Unknown;
        self.terminate(Terminator::Branch {
            cond,
            then,
            otherwise: otherwise.unwrap_or(join),
            span,
        });
        self.fall_into(then);
        self.stmts(&body);
        self.goto(join);
        if let (Some(block), Some(alternative)) = (otherwise, alternative) {
            self.fall_into(block);
            self.stmt(alternative);
            self.goto(join);
        }
        self.fall_into(join);
    }
}

/// An empty span at the end of a construct: where the code after it begins.
pub(super) fn end_of(node: Node<'_>) -> Span {
    Span::new(node.end_byte(), node.end_byte())
}
