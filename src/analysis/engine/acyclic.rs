//! The order blocks run in. Acyclic functions (most of them) need no fixpoint: one pass in
//! topological order runs every block once with its final entry state. In the others, only
//! the blocks of a loop need one: the CFG's strongly connected components, in topological
//! order, run each block outside every loop once, and each loop to its fixpoint.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::ir::{Block, Function, Terminator};

/// A block's successors: at most two, and only those inside the function.
fn successors(blocks: &[Block], index: usize) -> impl Iterator<Item = usize> {
    let pair = match blocks.get(index).map(|block| &block.term) {
        Some(Terminator::Goto(target)) => [Some(target.0 as usize), None],
        Some(Terminator::Branch { then, otherwise, .. }) => {
            [Some(then.0 as usize), Some(otherwise.0 as usize)]
        }
        _ => [None, None],
    };
    let count = blocks.len();
    pair.into_iter().flatten().filter(move |&successor| successor < count)
}

/// A strongly connected component of the CFG: its blocks in increasing order.
pub(super) struct Component {
    pub blocks: Vec<usize>,
    /// A cycle of the CFG: more than one block, or a block with an edge to itself.
    pub cycle: bool,
    /// It needs a fixpoint: a cycle, or a loop's head (whose entry states the report of
    /// endless loops reads).
    pub looped: bool,
}

/// The CFG's components, each after every component with an edge into it: a block outside
/// every loop runs once, after its predecessors have their final states, like an acyclic
/// function's; only a loop's blocks run to a fixpoint.
pub(super) fn components(function: &Function) -> Vec<Component> {
    let blocks = &function.blocks;
    // Tarjan's order is reverse topological: the components entered last come first.
    strongly_connected(blocks)
        .into_iter()
        .rev()
        .map(|mut blocks| {
            blocks.sort_unstable();
            let first = blocks[0];
            let self_edge = successors(&function.blocks, first).any(|next| next == first);
            let cycle = blocks.len() > 1 || self_edge;
            let looped = cycle || function.blocks[first].loop_head;
            Component { blocks, cycle, looped }
        })
        .collect()
}

/// A block's successors in the order petgraph's `tarjan_scc` took them (a graph lists a
/// node's edges newest first), so the components come out in the order they did.
fn successors_newest_first(blocks: &[Block], index: usize) -> ([usize; 2], usize) {
    let mut pair = [0; 2];
    let mut count = 0;
    for successor in successors(blocks, index) {
        pair[count] = successor;
        count += 1;
    }
    pair[..count].reverse();
    (pair, count)
}

/// A block whose successors are being walked, and whether it is still the root of its
/// component.
struct Visit {
    block: usize,
    successors: [usize; 2],
    count: usize,
    next: usize,
    local_root: bool,
}

impl Visit {
    fn new(blocks: &[Block], block: usize) -> Self {
        let (successors, count) = successors_newest_first(blocks, block);
        Visit { block, successors, count, next: 0, local_root: true }
    }
}

/// The CFG's strongly connected components in Tarjan's order (reverse topological), by
/// Pearce's variant of it, as petgraph's `tarjan_scc` runs it but iteratively and over the
/// blocks themselves: building a graph cost more than the search.
fn strongly_connected(blocks: &[Block]) -> Vec<Vec<usize>> {
    // A block's visit number, lowered to its component's root's; 0 is unvisited, and a
    // finished component's blocks get numbers counting down from the top.
    let mut rank = vec![0usize; blocks.len()];
    let (mut index, mut finished) = (1, usize::MAX);
    let (mut stack, mut visits, mut found) = (Vec::new(), Vec::new(), Vec::new());
    for start in 0..blocks.len() {
        if rank[start] != 0 {
            continue;
        }
        rank[start] = index;
        index += 1;
        visits.push(Visit::new(blocks, start));
        while let Some(visit) = visits.last_mut() {
            let block = visit.block;
            if visit.next < visit.count {
                let successor = visit.successors[visit.next];
                if rank[successor] == 0 {
                    rank[successor] = index;
                    index += 1;
                    visits.push(Visit::new(blocks, successor));
                    continue;
                }
                if rank[successor] < rank[block] {
                    rank[block] = rank[successor];
                    visit.local_root = false;
                }
                visit.next += 1;
                continue;
            }
            let local_root = visit.local_root;
            visits.pop();
            if !local_root {
                stack.push(block);
                continue;
            }
            let mut adjustment = 1;
            let start = stack
                .iter()
                .rposition(|&member| {
                    if rank[block] > rank[member] {
                        return true;
                    }
                    rank[member] = finished;
                    adjustment += 1;
                    false
                })
                .map_or(0, |at| at + 1);
            rank[block] = finished;
            stack.push(block);
            found.push(stack.split_off(start));
            index -= adjustment;
            finished -= 1;
        }
    }
    found
}

/// For each block, whether it lies on a cycle of the CFG (a loop's head or body).
pub(super) fn on_cycles(components: &[Component], blocks: usize) -> Vec<bool> {
    let mut on_cycle = vec![false; blocks];
    for component in components.iter().filter(|component| component.cycle) {
        for &block in &component.blocks {
            on_cycle[block] = true;
        }
    }
    on_cycle
}

#[cfg(test)]
fn blocks_on_cycles(function: &Function) -> Vec<bool> {
    on_cycles(&components(function), function.blocks.len())
}

/// The reachable blocks in an order where each comes after all its reachable predecessors
/// (the lowest-numbered ready block first, as the fixpoint's worklist would take them), or
/// `None` when the CFG has a cycle or a loop head: then it needs the fixpoint.
pub(super) fn acyclic_order(function: &Function) -> Option<Vec<usize>> {
    let blocks = &function.blocks;
    let successors = |index: usize| successors(blocks, index);
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
    let mut ready = BinaryHeap::with_capacity(blocks.len());
    ready.push(Reverse(0usize));
    let mut order = Vec::with_capacity(blocks.len());
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
    use super::{acyclic_order, blocks_on_cycles};
    use crate::analysis::summary::Summaries;
    use crate::frontend;
    use crate::ir::LoweredFile;

    /// The one pass over an acyclic function, and the run by components over a cyclic one,
    /// find exactly what the fixpoint over the whole function and its report pass find, on
    /// every fixture.
    /// Every fixture file, lowered, with its language and path.
    fn for_each_fixture(mut visit: impl FnMut(Language, &std::path::Path, &LoweredFile)) {
        for (folder, language) in [("c", Language::C), ("rust", Language::Rust)] {
            let root =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(folder);
            for entry in std::fs::read_dir(root).unwrap() {
                let path = entry.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                visit(language, &path, &frontend::lower(language, &text));
            }
        }
    }

    #[test]
    fn each_strategy_agrees_with_the_whole_function_fixpoint_on_every_fixture() {
        let catalog = Catalog::builtin();
        let summaries = Summaries::default();
        let (mut acyclic, mut cyclic) = (0, 0);
        for_each_fixture(|language, path, file| {
            let view = SummaryView::new(&summaries, 0);
            let context = Context {
                catalog: &catalog,
                language,
                globs: &file.glob_imports,
                summaries: &view,
                file: 0,
            };
            for function in &file.functions {
                let strategy = match acyclic_order(function) {
                    Some(order) => {
                        acyclic += 1;
                        Strategy::OnePass(order)
                    }
                    None => {
                        cyclic += 1;
                        Strategy::ByComponents(components(function))
                    }
                };
                let (facts, summary, _) = analyze_function_in(function, &context, strategy);
                let (expected, expected_summary, _) =
                    analyze_function_in(function, &context, Strategy::Fixpoint);
                let at = format!("{} in {}", function.name, path.display());
                assert_eq!(facts, expected, "{at}");
                assert_eq!(summary, expected_summary, "{at}");
            }
        });
        assert!(acyclic > 100, "only {acyclic} acyclic functions in the fixtures");
        assert!(cyclic > 100, "only {cyclic} cyclic functions in the fixtures");
    }

    /// The components come out as petgraph's `tarjan_scc` gave them, in the same order, on
    /// every fixture function: the order blocks run in decides which finding is met first.
    #[test]
    fn components_come_in_petgraph_s_order_on_every_fixture() {
        use petgraph::graph::{DiGraph, NodeIndex};
        for_each_fixture(|_, path, file| {
            for function in &file.functions {
                let blocks = &function.blocks;
                let mut graph = DiGraph::<(), ()>::new();
                let nodes: Vec<NodeIndex> = blocks.iter().map(|_| graph.add_node(())).collect();
                for (index, node) in nodes.iter().enumerate() {
                    for successor in super::successors(blocks, index) {
                        graph.add_edge(*node, nodes[successor], ());
                    }
                }
                let sorted = |mut members: Vec<usize>| {
                    members.sort_unstable();
                    members
                };
                let expected: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&graph)
                    .into_iter()
                    .map(|members| sorted(members.iter().map(|node| node.index()).collect()))
                    .collect();
                let found: Vec<Vec<usize>> =
                    super::strongly_connected(blocks).into_iter().map(sorted).collect();
                assert_eq!(found, expected, "{} in {}", function.name, path.display());
            }
        });
    }

    #[test]
    fn a_loop_s_head_and_body_are_on_a_cycle_and_the_code_around_it_is_not() {
        let text = "void f(int n) { int i; g(); for (i = 0; i < n; i++) close(i); h(); }";
        let file = frontend::lower(Language::C, text);
        let function = &file.functions[0];
        let on_cycle = blocks_on_cycles(function);
        let heads: Vec<usize> =
            (0..on_cycle.len()).filter(|&i| function.blocks[i].loop_head).collect();
        assert_eq!(heads.len(), 1);
        assert!(on_cycle[heads[0]]);
        assert!(!on_cycle[0], "the entry block");
        let body = function.blocks.iter().position(|b| format!("{:?}", b.stmts).contains("close"));
        assert!(on_cycle[body.expect("the close call")]);
        let after = function.blocks.iter().position(|b| format!("{:?}", b.stmts).contains("\"h\""));
        assert!(!on_cycle[after.expect("the call after the loop")]);
    }
}
