//! Acyclic functions (most of them) need no fixpoint: one pass in topological order runs
//! every block once with its final entry state.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::ir::{Function, Terminator};

/// The reachable blocks in an order where each comes after all its reachable predecessors
/// (the lowest-numbered ready block first, as the fixpoint's worklist would take them), or
/// `None` when the CFG has a cycle or a loop head: then it needs the fixpoint.
pub(super) fn acyclic_order(function: &Function) -> Option<Vec<usize>> {
    let blocks = &function.blocks;
    // At most two, and only those inside the function.
    let successors = |index: usize| {
        let pair = match blocks.get(index).map(|block| &block.term) {
            Some(Terminator::Goto(target)) => [Some(target.0 as usize), None],
            Some(Terminator::Branch { then, otherwise, .. }) => {
                [Some(then.0 as usize), Some(otherwise.0 as usize)]
            }
            _ => [None, None],
        };
        pair.into_iter().flatten().filter(|&successor| successor < blocks.len())
    };
    if blocks.is_empty() {
        return Some(Vec::new());
    }
    let mut reachable = vec![false; blocks.len()];
    let mut stack = vec![0usize];
    while let Some(index) = stack.pop() {
        if !std::mem::replace(&mut reachable[index], true) {
            stack.extend(successors(index));
        }
    }
    let mut predecessors = vec![0usize; blocks.len()];
    for index in (0..blocks.len()).filter(|&i| reachable[i]) {
        if blocks[index].loop_head {
            return None;
        }
        for successor in successors(index) {
            predecessors[successor] += 1;
        }
    }
    let mut ready = BinaryHeap::from([Reverse(0usize)]);
    let mut order = Vec::new();
    while let Some(Reverse(index)) = ready.pop() {
        // Only reachable blocks have their predecessors counted, and so become ready.
        order.push(index);
        for successor in successors(index) {
            predecessors[successor] -= 1;
            if predecessors[successor] == 0 {
                ready.push(Reverse(successor));
            }
        }
    }
    (order.len() == reachable.iter().filter(|r| **r).count()).then_some(order)
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::acyclic_order;
    use crate::analysis::summary::Summaries;
    use crate::frontend;

    /// The one pass over an acyclic function finds exactly what the fixpoint and its report
    /// pass find, on every fixture.
    #[test]
    fn the_single_pass_agrees_with_the_fixpoint_on_every_fixture() {
        let catalog = Catalog::builtin();
        let summaries = Summaries::default();
        let mut acyclic = 0;
        for (folder, language) in [("c", Language::C), ("rust", Language::Rust)] {
            let root =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(folder);
            for entry in std::fs::read_dir(root).unwrap() {
                let path = entry.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let file = frontend::lower(language, &text);
                let view = SummaryView::new(&summaries, 0);
                let context = Context {
                    catalog: &catalog,
                    language,
                    globs: &file.glob_imports,
                    summaries: &view,
                    file: 0,
                };
                for function in &file.functions {
                    let Some(order) = acyclic_order(function) else { continue };
                    acyclic += 1;
                    let (facts, summary, _) = analyze_function_in(function, &context, Some(order));
                    let (expected, expected_summary, _) =
                        analyze_function_in(function, &context, None);
                    assert_eq!(facts, expected, "{} in {}", function.name, path.display());
                    assert_eq!(
                        summary,
                        expected_summary,
                        "{} in {}",
                        function.name,
                        path.display()
                    );
                }
            }
        }
        assert!(acyclic > 100, "only {acyclic} acyclic functions in the fixtures");
    }
}
