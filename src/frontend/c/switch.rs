//! `switch`: a chain of equality tests in source order, `default` when none matches,
//! case bodies in source order falling through into each other, `break` to after.

use tree_sitter::Node;

use crate::ir::{BlockId, CmpOp, Cond, Operand, Place, PlaceBase, Rvalue, Terminator};

use super::builder::{FnBuilder, JumpTargets};
use super::stmt::end_of;
use super::syntax::{fields, named_children, named_children_except, span_of, Kind, NodeKind};

/// One `case`/`default` label of the switch body, with the block its statements start.
struct Arm<'t> {
    node: Node<'t>,
    value: Option<Node<'t>>,
    block: BlockId,
}

impl FnBuilder<'_> {
    pub(super) fn switch_statement(&mut self, node: Node<'_>) {
        let scrutinee = self.scrutinee(node);
        let body = node.child_by_field_id(fields().body).map(named_children).unwrap_or_default();
        let arms: Vec<Arm<'_>> = body
            .iter()
            .filter(|child| child.syntax_kind() == Kind::CaseStatement)
            .map(|&child| Arm {
                node: child,
                value: child.child_by_field_id(fields().value),
                block: self.new_block(span_of(child)),
            })
            .collect();
        let exit = self.new_block(end_of(node));
        let default = arms.iter().find(|arm| arm.value.is_none()).map_or(exit, |arm| arm.block);
        self.case_tests(&scrutinee, &arms, default);

        self.jump_targets.push(JumpTargets { break_to: exit, continue_to: None });
        self.push_scope();
        self.switch_body(&body, &arms);
        self.pop_scope();
        self.jump_targets.pop();
        self.goto(exit);
        self.fall_into(exit);
    }

    /// The value switched on, as an operand the tests can repeat without re-evaluating:
    /// a plain local as is, anything else hoisted into a temporary.
    fn scrutinee(&mut self, node: Node<'_>) -> Operand {
        let Some(condition) = node.child_by_field_id(fields().condition) else {
            return Operand::Unknown;
        };
        match self.rvalue(condition) {
            Rvalue::Use(operand) if is_plain_local(&operand) => operand,
            value => self.hoist(value, span_of(condition)),
        }
    }

    /// `if scrutinee == v1 then case1 else (if scrutinee == v2 ...) else default`.
    fn case_tests(&mut self, scrutinee: &Operand, arms: &[Arm<'_>], default: BlockId) {
        let valued: Vec<&Arm<'_>> = arms.iter().filter(|arm| arm.value.is_some()).collect();
        for (index, arm) in valued.iter().enumerate() {
            let Some(value) = arm.value else { continue };
            let otherwise = match valued.get(index + 1).and_then(|next| next.value) {
                Some(next_value) => self.new_block(span_of(next_value)),
                None => default,
            };
            let rhs = self.operand(value);
            let cond = Cond::Compare { op: CmpOp::Eq, lhs: scrutinee.clone(), rhs };
            let span = span_of(value);
            self.terminate(Terminator::Branch { cond, then: arm.block, otherwise, span });
            if otherwise != default {
                self.fall_into(otherwise);
            }
        }
        if valued.is_empty() {
            self.goto(default);
        }
    }

    /// Statements of the body in order; each label starts its arm's block, entered by
    /// fallthrough from the arm before. Code before the first label is unreachable.
    fn switch_body(&mut self, body: &[Node<'_>], arms: &[Arm<'_>]) {
        let mut arms = arms.iter();
        for child in body {
            if child.syntax_kind() != Kind::CaseStatement {
                self.stmt(*child);
                continue;
            }
            if let Some(arm) = arms.next() {
                self.fall_into(arm.block);
                self.stmts(&named_children_except(arm.node, &[arm.value]));
            }
        }
    }
}

fn is_plain_local(operand: &Operand) -> bool {
    matches!(operand, Operand::Place(Place { base: PlaceBase::Local(_), projections }) if projections.is_empty())
}
