//! Deciding which process takes a branch: a condition over a fork's result is true in the
//! child, in the parent, or in both.

use super::state::{heap_key, ForkId, ProcState, ProcessKey};
use super::Side;
use crate::ir::{CmpOp, Cond, Operand, Pattern, PlaceBase};

/// The value of `cond` in the process `key` with `state`; `None` when it is not known.
pub fn eval_cond(cond: &Cond, key: &ProcessKey, state: &ProcState) -> Option<bool> {
    match cond {
        Cond::Truthy(operand) => fork_side(operand, key, state).map(|side| side == Side::Parent),
        Cond::Not(inner) => eval_cond(inner, key, state).map(|value| !value),
        Cond::Compare { op, lhs, rhs } => eval_compare(*op, lhs, rhs, key, state),
        Cond::Matches { value, pattern } => {
            let side = fork_side(value, key, state)?;
            match_pattern(side, pattern)
        }
        Cond::Unknown => None,
    }
}

/// The fork whose result a condition tests, if any.
pub fn tested_fork(cond: &Cond, state: &ProcState) -> Option<ForkId> {
    match cond {
        Cond::Truthy(operand) | Cond::Matches { value: operand, .. } => fork_of(operand, state),
        Cond::Not(inner) => tested_fork(inner, state),
        Cond::Compare { lhs, rhs, .. } => fork_of(lhs, state).or_else(|| fork_of(rhs, state)),
        Cond::Unknown => None,
    }
}

/// The side of the fork whose result `operand` holds, in process `key`.
pub fn fork_side(operand: &Operand, key: &ProcessKey, state: &ProcState) -> Option<Side> {
    // A process that forked nowhere on its path took no side (and most never fork).
    if key.is_empty() {
        return None;
    }
    let fork = fork_of(operand, state)?;
    key.iter().find(|(f, _)| *f == fork).map(|(_, side)| *side)
}

/// The fork whose result `operand` holds.
fn fork_of(operand: &Operand, state: &ProcState) -> Option<ForkId> {
    let Operand::Place(place) = operand else { return None };
    // A pid kept in a field (`(child->pid = fork()) == 0`) is tested there.
    match heap_key(place) {
        Some(heap) => state.heap.get(&heap)?.fork,
        None => match place.base {
            PlaceBase::Local(local) => state.values.get(&local)?.fork,
            PlaceBase::Global(_) => None,
        },
    }
}

fn eval_compare(
    op: CmpOp,
    lhs: &Operand,
    rhs: &Operand,
    key: &ProcessKey,
    state: &ProcState,
) -> Option<bool> {
    if let (Some(side), Operand::Int(k)) = (fork_side(lhs, key, state), rhs) {
        return compare_pid(side, op, *k);
    }
    if let (Operand::Int(k), Some(side)) = (lhs, fork_side(rhs, key, state)) {
        return compare_pid(side, op.flipped(), *k);
    }
    None
}

/// `pid op k`, where the child's pid is 0 and the parent's is some positive number.
fn compare_pid(side: Side, op: CmpOp, k: i64) -> Option<bool> {
    match side {
        Side::Child => Some(compare(0, op, k)),
        Side::Parent => {
            // The parent's pid is some value of at least 1: equality with one of them is open.
            if matches!(op, CmpOp::Eq | CmpOp::Ne) && k >= 1 {
                return None;
            }
            // Otherwise the comparison is monotone in the pid: 1 and the largest agree or not.
            let at_least_one = compare(1, op, k);
            let large = compare(i64::MAX, op, k);
            (at_least_one == large).then_some(at_least_one)
        }
    }
}

fn compare(value: i64, op: CmpOp, k: i64) -> bool {
    match op {
        CmpOp::Eq => value == k,
        CmpOp::Ne => value != k,
        CmpOp::Lt => value < k,
        CmpOp::Le => value <= k,
        CmpOp::Gt => value > k,
        CmpOp::Ge => value >= k,
    }
}

/// Whether a fork result of `side` matches `pattern`: `Ok(..)` wraps it, `Err` never
/// matches a process that exists, `Child`/`Parent` name the side, integers compare as a pid.
pub fn match_pattern(side: Side, pattern: &Pattern) -> Option<bool> {
    match pattern {
        Pattern::Wild | Pattern::Bind(_) => Some(true),
        Pattern::Int(k) => compare_pid(side, CmpOp::Eq, *k),
        Pattern::Ctor { name, fields } => match name.as_str() {
            "Ok" | "Some" => fields.first().map_or(Some(true), |inner| match_pattern(side, inner)),
            "Err" | "None" => Some(false),
            "Child" => Some(side == Side::Child),
            "Parent" => Some(side == Side::Parent),
            _ => None,
        },
        Pattern::Or(alternatives) => {
            let results: Vec<Option<bool>> =
                alternatives.iter().map(|p| match_pattern(side, p)).collect();
            if results.contains(&Some(true)) {
                Some(true)
            } else if results.iter().all(|r| *r == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        Pattern::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_comparisons_split_the_processes() {
        let cases = [
            (CmpOp::Eq, 0, Some(true), Some(false)),
            (CmpOp::Ne, 0, Some(false), Some(true)),
            (CmpOp::Gt, 0, Some(false), Some(true)),
            (CmpOp::Lt, 0, Some(false), Some(false)),
            (CmpOp::Eq, -1, Some(false), Some(false)),
            (CmpOp::Eq, 42, Some(false), None),
        ];
        for (op, k, child, parent) in cases {
            assert_eq!(compare_pid(Side::Child, op, k), child, "child {op:?} {k}");
            assert_eq!(compare_pid(Side::Parent, op, k), parent, "parent {op:?} {k}");
        }
    }

    #[test]
    fn result_patterns_name_the_side() {
        let child = Pattern::Ctor {
            name: "Ok".into(),
            fields: vec![Pattern::Ctor { name: "Child".into(), fields: vec![] }],
        };
        assert_eq!(match_pattern(Side::Child, &child), Some(true));
        assert_eq!(match_pattern(Side::Parent, &child), Some(false));
        let err = Pattern::Ctor { name: "Err".into(), fields: vec![Pattern::Wild] };
        assert_eq!(match_pattern(Side::Child, &err), Some(false));
    }
}
