//! The states of every process that reaches a program point.
//!
//! A point is nearly always reached by one process: a vector sorted by key holds its states
//! in one small allocation, where a `BTreeMap` node takes room for eleven. States are large (a
//! few hundred bytes) and move from flow to block to flow: boxed, a move copies a pointer.
//! Iteration goes in key order, as the map's did, so nothing that depends on order changes.

use std::cmp::Ordering;

use super::state::{ProcState, ProcessKey};

/// A process's key and state at the point.
type Entry = (ProcessKey, Box<ProcState>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flow {
    /// The state of the lowest key, inline: a point reached by one process allocates nothing.
    first: Option<Entry>,
    /// The others, sorted by key (all above `first`'s), each key once.
    rest: Vec<Entry>,
}

/// How many process shapes one program point tracks.
const MAX_PROCESSES_PER_POINT: usize = 32;

impl Flow {
    pub fn new() -> Self {
        Flow::default()
    }

    /// A point reached by one process.
    pub fn of(key: ProcessKey, state: ProcState) -> Self {
        Flow { first: Some((key, Box::new(state))), rest: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&ProcessKey, &ProcState)> {
        self.into_iter()
    }

    /// Joins `incoming` into the state of its process; returns whether anything changed.
    /// Past the bound, a new process shape is dropped rather than letting states explode.
    pub fn join(&mut self, key: ProcessKey, incoming: impl Into<Box<ProcState>>) -> bool {
        let incoming = incoming.into();
        let Some((first_key, first_state)) = &mut self.first else {
            self.first = Some((key, incoming));
            return true;
        };
        match key.cmp(first_key) {
            Ordering::Equal => return first_state.join(&incoming),
            Ordering::Less if self.rest.len() + 1 < MAX_PROCESSES_PER_POINT => {
                let first = self.first.replace((key, incoming));
                self.rest.extend(first);
                self.rest.rotate_right(1);
                return true;
            }
            Ordering::Less => return false,
            Ordering::Greater => {}
        }
        match self.rest.binary_search_by(|(known, _)| known.cmp(&key)) {
            Ok(at) => self.rest[at].1.join(&incoming),
            Err(at) if self.rest.len() + 1 < MAX_PROCESSES_PER_POINT => {
                self.rest.insert(at, (key, incoming));
                true
            }
            Err(_) => false,
        }
    }
}

impl IntoIterator for Flow {
    type Item = Entry;
    type IntoIter = std::iter::Chain<std::option::IntoIter<Entry>, std::vec::IntoIter<Entry>>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

impl<'a> IntoIterator for &'a Flow {
    type Item = (&'a ProcessKey, &'a ProcState);
    type IntoIter = std::iter::Map<
        std::iter::Chain<std::option::Iter<'a, Entry>, std::slice::Iter<'a, Entry>>,
        fn(&'a Entry) -> (&'a ProcessKey, &'a ProcState),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.first.iter().chain(self.rest.iter()).map(|(key, state)| (key, &**state))
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
