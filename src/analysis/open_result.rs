//! Conditions that tell whether an open succeeded: `fd < 0`, `fd == -1`, `zh == NULL`, `!zh`,
//! `Err(_)`, `None`. On the branch where it failed there is no connection to leak.

use crate::ir::{CmpOp, Cond, Operand, Pattern};

/// The tested operand, and whether the open failed when `cond` is true (`Some(false)`: it
/// failed when `cond` is false). `None` when the condition says nothing about failure.
pub fn failure_test(cond: &Cond) -> Option<(&Operand, bool)> {
    match cond {
        Cond::Truthy(operand) => Some((operand, false)),
        Cond::Not(inner) => failure_test(inner).map(|(operand, when)| (operand, !when)),
        Cond::Compare { op, lhs, rhs } => match (lhs, rhs) {
            (Operand::Place(_), bound) => failed_when(*op, bound).map(|when| (lhs, when)),
            (bound, Operand::Place(_)) => failed_when(op.flipped(), bound).map(|when| (rhs, when)),
            _ => None,
        },
        Cond::Matches { value, pattern: Pattern::Ctor { name, .. } } => match name.as_str() {
            "Err" | "None" => Some((value, true)),
            "Ok" | "Some" => Some((value, false)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `value op bound` being true means the open failed (a negative descriptor, a null
/// handle), false means it failed, or neither.
fn failed_when(op: CmpOp, bound: &Operand) -> Option<bool> {
    let null = matches!(bound, Operand::Const(name) if name == "NULL" || name == "nullptr");
    let k = match bound {
        Operand::Int(k) => *k,
        _ if null => 0,
        _ => return None,
    };
    match (op, k) {
        (CmpOp::Lt, 0) | (CmpOp::Le, -1) | (CmpOp::Eq, -1) | (CmpOp::Eq, 0) => Some(true),
        (CmpOp::Ge, 0) | (CmpOp::Gt, -1) | (CmpOp::Ne, -1) | (CmpOp::Ne, 0) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{LocalId, Place};

    fn fd() -> Operand {
        Operand::Place(Place::local(LocalId(0)))
    }

    fn compare(op: CmpOp, bound: Operand) -> Option<bool> {
        let cond = Cond::Compare { op, lhs: fd(), rhs: bound };
        failure_test(&cond).map(|(_, when)| when)
    }

    #[test]
    fn negative_descriptors_and_null_handles_are_failures() {
        assert_eq!(compare(CmpOp::Lt, Operand::Int(0)), Some(true));
        assert_eq!(compare(CmpOp::Eq, Operand::Int(-1)), Some(true));
        assert_eq!(compare(CmpOp::Ge, Operand::Int(0)), Some(false));
        assert_eq!(compare(CmpOp::Ne, Operand::Const("NULL".into())), Some(false));
        assert_eq!(compare(CmpOp::Gt, Operand::Int(2)), None);
        assert_eq!(compare(CmpOp::Eq, Operand::Int(3)), None);
        let flipped = Cond::Compare { op: CmpOp::Gt, lhs: Operand::Int(0), rhs: fd() };
        assert_eq!(failure_test(&flipped).map(|(_, when)| when), Some(true));
        let not_null = Cond::Not(Box::new(Cond::Truthy(fd())));
        assert_eq!(failure_test(&not_null).map(|(_, when)| when), Some(true));
    }
}
