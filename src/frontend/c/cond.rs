//! Conditions: a condition ends the current block with branches. `&&` and `||` become
//! nested branches (short-circuit), `!` swaps them or wraps the operand, comparisons stay
//! comparisons, and the calls a condition makes are hoisted before its branch.

use tree_sitter::Node;

use crate::ir::{BlockId, CmpOp, Cond, Terminator};

use super::builder::FnBuilder;
use super::syntax::{fields, span_of, strip_parens, text_of, Kind, NodeKind};

impl<'a> FnBuilder<'a> {
    /// Branches to `then` when `node` is true, else to `otherwise`.
    pub(super) fn branch_on(&mut self, node: Node<'_>, then: BlockId, otherwise: BlockId) {
        if !self.enter(node) {
            self.terminate(Terminator::Branch {
                cond: Cond::Unknown,
                then,
                otherwise,
                span: span_of(node),
            });
            return;
        }
        self.branch_on_inner(strip_parens(node), then, otherwise);
        self.leave();
    }

    // Each shape has a function of its own, so this recursive function keeps a small stack
    // frame even in a debug build.
    fn branch_on_inner(&mut self, node: Node<'_>, then: BlockId, otherwise: BlockId) {
        let operator = self.operator(node);
        match (node.syntax_kind(), operator) {
            (Kind::BinaryExpression, Some("&&")) => {
                self.branch_on_logical(node, true, then, otherwise)
            }
            (Kind::BinaryExpression, Some("||")) => {
                self.branch_on_logical(node, false, then, otherwise)
            }
            (Kind::UnaryExpression, Some("!"))
                if self.is_logical(node.child_by_field_id(fields().argument)) =>
            {
                self.branch_on_negated(node, then, otherwise)
            }
            (Kind::CommaExpression, _) => self.branch_on_comma(node, then, otherwise),
            _ => self.branch_on_leaf(node, operator, then, otherwise),
        }
    }

    /// `a && b`: `b` is tested only when `a` is true; `a || b`: only when `a` is false.
    fn branch_on_logical(
        &mut self,
        node: Node<'_>,
        is_and: bool,
        then: BlockId,
        otherwise: BlockId,
    ) {
        let (Some(left), Some(right)) = self.sides(node) else {
            return self.branch_unknown(node, then, otherwise);
        };
        let right_block = self.new_block(span_of(right));
        if is_and {
            self.branch_on(left, right_block, otherwise);
        } else {
            self.branch_on(left, then, right_block);
        }
        self.fall_into(right_block);
        self.branch_on(right, then, otherwise);
    }

    /// `!(a && b)`: the same branches with the targets swapped.
    fn branch_on_negated(&mut self, node: Node<'_>, then: BlockId, otherwise: BlockId) {
        match node.child_by_field_id(fields().argument) {
            Some(argument) => self.branch_on(argument, otherwise, then),
            None => self.branch_unknown(node, then, otherwise),
        }
    }

    /// `while (x = next(), x > 0)`: the left part runs, the right part decides.
    fn branch_on_comma(&mut self, node: Node<'_>, then: BlockId, otherwise: BlockId) {
        let (Some(left), Some(right)) = self.sides(node) else {
            return self.branch_unknown(node, then, otherwise);
        };
        self.effect(left);
        self.branch_on(right, then, otherwise);
    }

    /// `operator` is the leaf's own (`node` has no parentheses around it).
    fn branch_on_leaf(
        &mut self,
        node: Node<'_>,
        operator: Option<&str>,
        then: BlockId,
        otherwise: BlockId,
    ) {
        let cond = match self.enter(node) {
            true => {
                let cond = self.cond_inner(node, operator);
                self.leave();
                cond
            }
            false => Cond::Unknown,
        };
        let span = span_of(node);
        self.terminate(Terminator::Branch { cond, then, otherwise, span });
    }

    fn branch_unknown(&mut self, node: Node<'_>, then: BlockId, otherwise: BlockId) {
        let span = span_of(node);
        self.terminate(Terminator::Branch { cond: Cond::Unknown, then, otherwise, span });
    }

    /// The operator of a binary or unary expression (the only kinds whose operator a
    /// condition reads: looking for a field another kind lacks still costs a search).
    fn operator(&self, node: Node<'_>) -> Option<&'a str> {
        if !matches!(node.syntax_kind(), Kind::BinaryExpression | Kind::UnaryExpression) {
            return None;
        }
        node.child_by_field_id(fields().operator).map(|op| text_of(op, self.text))
    }

    fn sides<'n>(&self, node: Node<'n>) -> (Option<Node<'n>>, Option<Node<'n>>) {
        (node.child_by_field_id(fields().left), node.child_by_field_id(fields().right))
    }

    fn is_logical(&self, node: Option<Node<'_>>) -> bool {
        let Some(node) = node.map(strip_parens) else { return false };
        node.syntax_kind() == Kind::BinaryExpression
            && matches!(self.operator(node), Some("&&" | "||"))
    }

    /// One leaf condition (no `&&`/`||` at its top), its calls hoisted first.
    fn cond(&mut self, node: Node<'_>) -> Cond {
        if !self.enter(node) {
            return Cond::Unknown;
        }
        let node = strip_parens(node);
        let cond = self.cond_inner(node, self.operator(node));
        self.leave();
        cond
    }

    /// `operator` is `node`'s own.
    fn cond_inner(&mut self, node: Node<'_>, operator: Option<&str>) -> Cond {
        match (node.syntax_kind(), operator.and_then(compare_op)) {
            (Kind::BinaryExpression, Some(op)) => {
                let (Some(left), Some(right)) = self.sides(node) else { return Cond::Unknown };
                let lhs = self.operand(left);
                let rhs = self.operand(right);
                Cond::Compare { op, lhs, rhs }
            }
            (Kind::UnaryExpression, _) if operator == Some("!") => {
                match node.child_by_field_id(fields().argument) {
                    Some(argument) => Cond::Not(Box::new(self.cond(argument))),
                    None => Cond::Unknown,
                }
            }
            _ => Cond::Truthy(self.operand(node)),
        }
    }

    /// `c ? f() : g();` as a statement: only one side runs, so it branches.
    pub(super) fn conditional_effect(&mut self, node: Node<'_>) {
        let condition = node.child_by_field_id(fields().condition);
        let (Some(condition), consequence, alternative) = (
            condition,
            node.child_by_field_id(fields().consequence),
            node.child_by_field_id(fields().alternative),
        ) else {
            return;
        };
        let then = self.new_block(consequence.map_or(span_of(node), span_of));
        let otherwise = self.new_block(alternative.map_or(span_of(node), span_of));
        let join = self.new_block(span_of(node));
        self.branch_on(condition, then, otherwise);
        for (block, arm) in [(then, consequence), (otherwise, alternative)] {
            self.fall_into(block);
            if let Some(arm) = arm {
                self.effect(arm);
            }
            self.goto(join);
        }
        self.fall_into(join);
    }
}

fn compare_op(operator: &str) -> Option<CmpOp> {
    Some(match operator {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        _ => return None,
    })
}
