//! The order of a run's first round: the files that define functions before the files that
//! call them, in waves whose files are analysed in parallel, each wave with the summaries of
//! the waves before it. Mutually calling files share a wave; later rounds settle them.
//!
//! Where a name is defined is read off the tree's table of names (`tree_names.rs`).

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::tree_names::{NameHashes, TreeNames};

/// The first round's order, and the files that call each other.
pub struct Waves {
    pub batches: Vec<Vec<usize>>,
    /// Files in a cycle of calls with other files, sorted: they share a wave without each
    /// other's summaries, so a later round is likely to analyse them again.
    pub in_cycles: Vec<usize>,
}

/// The files in waves: every file after the files it calls into (where the name it calls is
/// defined in exactly one other file of its language, the only case a lookup resolves across
/// files by name alone).
pub fn waves(names: &[NameHashes], tree: &TreeNames) -> Waves {
    let graph = call_graph(names, tree);
    let mut component = vec![0usize; names.len()];
    let components = tarjan_scc(&graph);
    for (index, members) in components.iter().enumerate() {
        for node in members {
            component[node.index()] = index;
        }
    }
    // Tarjan's order is reverse topological: callees' components come first.
    let mut level = vec![0usize; names.len()];
    let mut waves: Vec<Vec<usize>> = Vec::new();
    let mut in_cycles = Vec::new();
    for (index, members) in components.iter().enumerate() {
        let wave = members
            .iter()
            .flat_map(|node| graph.neighbors(*node))
            .filter(|callee| component[callee.index()] != index)
            .map(|callee| level[callee.index()] + 1)
            .max()
            .unwrap_or(0);
        for node in members {
            level[node.index()] = wave;
        }
        if members.len() > 1 {
            in_cycles.extend(members.iter().map(|node| node.index()));
        }
        if waves.len() <= wave {
            waves.resize_with(wave + 1, Vec::new);
        }
        waves[wave].extend(members.iter().map(|node| node.index()));
    }
    for wave in &mut waves {
        wave.sort_unstable();
    }
    in_cycles.sort_unstable();
    Waves { batches: waves, in_cycles }
}

fn call_graph(names: &[NameHashes], tree: &TreeNames) -> DiGraph<(), ()> {
    let mut graph = DiGraph::with_capacity(names.len(), names.len());
    for _ in names {
        graph.add_node(());
    }
    for (id, file) in names.iter().enumerate() {
        for &name in file.called_names() {
            if let Some(only) = tree.only_definer(name).filter(|&only| only != id) {
                graph.add_edge(NodeIndex::new(id), NodeIndex::new(only), ());
            }
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{FileNames, Language};

    fn file(language: Language, defined: &[&str], called: &[&str]) -> NameHashes {
        let names = FileNames {
            defined: defined.iter().map(|s| s.to_string()).collect(),
            called: called.iter().map(|s| s.to_string()).collect(),
            ..FileNames::default()
        };
        NameHashes::of(language, names)
    }

    #[test]
    fn callers_come_after_their_callees_and_cycles_share_a_wave() {
        let c = Language::C;
        let names = [
            file(c, &["main"], &["serve", "log_line"]),
            file(c, &["serve"], &["open_conn", "ping"]),
            file(c, &["open_conn"], &["socket"]),
            file(c, &["ping"], &["pong"]),
            file(c, &["pong"], &["ping"]),
            file(c, &["log_line"], &["puts"]),
        ];
        let waves = waves(&names, &TreeNames::of(&names));
        assert_eq!(waves.batches, vec![vec![2, 3, 4, 5], vec![1], vec![0]]);
        assert_eq!(waves.in_cycles, [3, 4]);
    }

    #[test]
    fn a_name_defined_twice_or_in_another_language_orders_nothing() {
        let names = [
            file(Language::C, &["main"], &["start", "connect"]),
            file(Language::C, &["start"], &[]),
            file(Language::C, &["start"], &[]),
            file(Language::Rust, &["connect"], &[]),
        ];
        assert_eq!(waves(&names, &TreeNames::of(&names)).batches, vec![vec![0, 1, 2, 3]]);
    }
}
