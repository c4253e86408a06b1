//! The order of a run's first round: the files that define functions before the files that
//! call them, in waves whose files are analysed in parallel, each wave with the summaries of
//! the waves before it. Mutually calling files share a wave; later rounds settle them.
//!
//! Names are kept as 64-bit hashes of the language and the name: the whole tree's names are
//! held at once here, and two names sharing a hash could only misorder the first round (a
//! wrong guess costs a round, never a finding).

use std::hash::BuildHasher;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::ir::{FileNames, Language};

/// The names a file defines and calls, hashed, and who calls what.
#[derive(Debug, Default)]
pub struct NameHashes {
    defined: Box<[u64]>,
    called: Box<[u64]>,
    /// Per function: its name (an index into `defined`, or `NO_NAME`) and where its calls end
    /// in `calls` (indices into `called`). Sixteen bits: the whole tree's are held at once.
    functions: Box<[(u16, u32)]>,
    calls: Box<[u16]>,
    pub(super) opaque: bool,
}

/// A function's name slot for the calls made outside every function.
const NO_NAME: u16 = u16::MAX;

const NAMES: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x0ade_5ca1);

/// A name as the run's tables hold it: hashed with its language.
pub fn name_hash(language: Language, name: &str) -> u64 {
    NAMES.hash_one((language, name))
}

impl NameHashes {
    pub fn of(language: Language, names: FileNames) -> Self {
        let hash = |name: String| name_hash(language, &name);
        let short = |index: u32| u16::try_from(index).ok().filter(|&index| index != NO_NAME);
        let mut calls: Vec<u16> = Vec::new();
        let mut functions: Vec<(u16, u32)> = Vec::with_capacity(names.functions.len());
        // A file with more names than sixteen bits count (never, in practice) is opaque.
        let mut opaque = names.opaque;
        for function in names.functions {
            let name = match function.name {
                Some(index) => short(index),
                None => Some(NO_NAME),
            };
            let function_calls: Option<Vec<u16>> = function.calls.into_iter().map(short).collect();
            let (Some(name), Some(function_calls)) = (name, function_calls) else {
                opaque = true;
                break;
            };
            calls.extend(function_calls);
            functions.push((name, u32::try_from(calls.len()).unwrap_or(u32::MAX)));
        }
        if opaque {
            (calls, functions) = (Vec::new(), Vec::new());
        }
        NameHashes {
            defined: names.defined.into_iter().map(hash).collect(),
            called: names.called.into_iter().map(hash).collect(),
            functions: functions.into_boxed_slice(),
            calls: calls.into_boxed_slice(),
            opaque,
        }
    }

    /// How many names the file defines.
    pub fn defined(&self) -> usize {
        self.defined.len()
    }

    /// How many functions (and calls outside every function) `take_functions` gives.
    pub(super) fn function_count(&self) -> usize {
        self.functions.len()
    }

    /// The hashes of the names the file defines.
    pub(super) fn defined_names(&self) -> &[u64] {
        &self.defined
    }

    /// The hashes of the names the file calls.
    pub(super) fn called_names(&self) -> &[u64] {
        &self.called
    }

    /// Each function's name (`None` for the calls outside every function) and the names it
    /// calls, hashed; taken out, so that the whole tree's need not be held twice.
    pub(super) fn take_functions(&mut self) -> Vec<(Option<u64>, Vec<u64>)> {
        let functions = std::mem::take(&mut self.functions);
        let calls = std::mem::take(&mut self.calls);
        let mut start = 0usize;
        let functions = functions.iter().map(|&(name, end)| {
            let end = (end as usize).min(calls.len()).max(start);
            let called = calls[start..end].iter();
            let called = called.filter_map(|&index| self.called.get(index as usize).copied());
            start = end;
            (self.defined.get(name as usize).copied(), called.collect())
        });
        functions.collect()
    }
}

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
pub fn waves(names: &[NameHashes]) -> Waves {
    let graph = call_graph(names);
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

fn call_graph(names: &[NameHashes]) -> DiGraph<(), ()> {
    let definers = Definers::of(names);
    let mut graph = DiGraph::with_capacity(names.len(), names.len());
    for _ in names {
        graph.add_node(());
    }
    for (id, file) in names.iter().enumerate() {
        for name in &file.called {
            if let Some(only) = definers.only(*name).filter(|&only| only != id) {
                graph.add_edge(NodeIndex::new(id), NodeIndex::new(only), ());
            }
        }
    }
    graph
}

/// Which file defines each name, sorted by name: a table of the whole tree's names, where a
/// map's slots and spare room would take twice the bytes.
struct Definers(Vec<(u64, u32)>);

/// Files past `u32::MAX` (never, in practice) order nothing.
const NO_FILE: u32 = u32::MAX;

impl Definers {
    fn of(names: &[NameHashes]) -> Self {
        let count = names.iter().map(|file| file.defined.len()).sum();
        let mut definers = Vec::with_capacity(count);
        for (id, file) in names.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(NO_FILE);
            definers.extend(file.defined.iter().map(|&name| (name, id)));
        }
        definers.sort_unstable();
        definers.dedup();
        Definers(definers)
    }

    /// The one file that defines `name`, if exactly one does.
    fn only(&self, name: u64) -> Option<usize> {
        let start = self.0.partition_point(|&(known, _)| known < name);
        match self.0.get(start..)? {
            [(first, id), rest @ ..]
                if *first == name && rest.first().is_none_or(|n| n.0 != name) =>
            {
                (*id != NO_FILE).then_some(*id as usize)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let waves = waves(&names);
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
        assert_eq!(waves(&names).batches, vec![vec![0, 1, 2, 3]]);
    }
}
