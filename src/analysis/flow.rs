//! The states of every process that reaches a program point.
//!
//! A point is nearly always reached by one process: a vector sorted by key holds its states
//! in one small allocation, where a `BTreeMap` node takes room for eleven. States are large (a
//! few hundred bytes) and move from flow to block to flow: boxed, a move copies a pointer.
//! Iteration goes in key order, as the map's did, so nothing that depends on order changes.

use super::state::{ProcState, ProcessKey};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flow {
    /// Sorted by key, each key once.
    states: Vec<(ProcessKey, Box<ProcState>)>,
}

/// How many process shapes one program point tracks.
const MAX_PROCESSES_PER_POINT: usize = 32;

impl Flow {
    pub fn new() -> Self {
        Flow::default()
    }

    /// A point reached by one process.
    pub fn of(key: ProcessKey, state: ProcState) -> Self {
        Flow { states: vec![(key, Box::new(state))] }
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&ProcessKey, &ProcState)> {
        self.into_iter()
    }

    /// Joins `incoming` into the state of its process; returns whether anything changed.
    /// Past the bound, a new process shape is dropped rather than letting states explode.
    pub fn join(&mut self, key: ProcessKey, incoming: impl Into<Box<ProcState>>) -> bool {
        let incoming = incoming.into();
        match self.states.binary_search_by(|(known, _)| known.cmp(&key)) {
            Ok(at) => self.states[at].1.join(&incoming),
            Err(at) if self.states.len() < MAX_PROCESSES_PER_POINT => {
                self.states.insert(at, (key, incoming));
                true
            }
            Err(_) => false,
        }
    }
}

impl IntoIterator for Flow {
    type Item = (ProcessKey, Box<ProcState>);
    type IntoIter = std::vec::IntoIter<(ProcessKey, Box<ProcState>)>;

    fn into_iter(self) -> Self::IntoIter {
        self.states.into_iter()
    }
}

impl<'a> IntoIterator for &'a Flow {
    type Item = (&'a ProcessKey, &'a ProcState);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (ProcessKey, Box<ProcState>)>,
        fn(&'a (ProcessKey, Box<ProcState>)) -> (&'a ProcessKey, &'a ProcState),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.states.iter().map(|(key, state)| (key, &**state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::state::ForkId;
    use crate::analysis::Side;

    #[test]
    fn states_stay_in_key_order_one_per_key_and_the_bound_holds() {
        let key = |fork: u32| vec![(ForkId(fork), Side::Child)];
        let mut flow = Flow::new();
        for fork in [3, 1, 2, 1] {
            flow.join(key(fork), ProcState::default());
        }
        let keys: Vec<ProcessKey> = flow.iter().map(|(key, _)| key.clone()).collect();
        assert_eq!(keys, vec![key(1), key(2), key(3)]);
        for fork in 10..100 {
            flow.join(key(fork), ProcState::default());
        }
        assert_eq!(flow.iter().count(), MAX_PROCESSES_PER_POINT);
        assert!(!flow.join(key(200), ProcState::default()));
    }
}
