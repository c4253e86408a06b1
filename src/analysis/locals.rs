//! What a process's locals hold, by local: a vector sorted by local.
//!
//! A state holds a few locals at most, and branches copy the map when both write to it: a
//! B-tree's node has room for eleven values (over a KiB, allocated and freed at each copy),
//! where the vector holds the few there are. Iteration goes in increasing order, as the
//! map's did, and `Debug` prints it as the map did.

use std::fmt;

use super::state::Value;
use crate::ir::LocalId;

#[derive(Default, PartialEq, Eq)]
pub struct Locals {
    /// Sorted by local, each local once.
    entries: Vec<(LocalId, Value)>,
}

/// A copy is made to be written (`Rc::make_mut`), most often by adding a local: room for one
/// more spares the copy a second allocation and move.
impl Clone for Locals {
    fn clone(&self) -> Self {
        let mut entries = Vec::with_capacity(self.entries.len() + 1);
        entries.extend_from_slice(&self.entries);
        Locals { entries }
    }
}

impl Locals {
    fn position(&self, local: &LocalId) -> Result<usize, usize> {
        self.entries.binary_search_by(|(known, _)| known.cmp(local))
    }

    pub fn get(&self, local: &LocalId) -> Option<&Value> {
        let at = self.position(local).ok()?;
        Some(&self.entries[at].1)
    }

    pub fn get_mut(&mut self, local: &LocalId) -> Option<&mut Value> {
        let at = self.position(local).ok()?;
        Some(&mut self.entries[at].1)
    }

    pub fn contains_key(&self, local: &LocalId) -> bool {
        self.position(local).is_ok()
    }

    /// Sets what `local` holds; returns what it held.
    pub fn insert(&mut self, local: LocalId, value: Value) -> Option<Value> {
        match self.position(&local) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (local, value));
                None
            }
        }
    }

    pub fn remove(&mut self, local: &LocalId) -> Option<Value> {
        let at = self.position(local).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// The locals and their values, in increasing order of local.
    pub fn iter(&self) -> impl Iterator<Item = (&LocalId, &Value)> {
        self.entries.iter().map(|(local, value)| (local, value))
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, value)| value)
    }
}

impl fmt::Debug for Locals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The same inserts and removes leave it as they leave a `BTreeMap`.
    #[test]
    fn it_behaves_as_a_btree_map() {
        let value = |n: u32| Value { counter: n.is_multiple_of(2), ..Value::default() };
        let mut locals = Locals::default();
        let mut map = BTreeMap::new();
        for (step, local) in [5u32, 1, 9, 1, 3, 5, 7, 0, 9].into_iter().enumerate() {
            let local = LocalId(local);
            if step % 3 == 2 {
                assert_eq!(locals.remove(&local), map.remove(&local));
            } else {
                let step = step as u32;
                assert_eq!(locals.insert(local, value(step)), map.insert(local, value(step)));
            }
            assert!(locals.iter().eq(map.iter()));
            assert_eq!(format!("{locals:?}"), format!("{map:?}"));
            for probe in 0..10 {
                let probe = LocalId(probe);
                assert_eq!(locals.get(&probe), map.get(&probe));
                assert_eq!(locals.contains_key(&probe), map.contains_key(&probe));
            }
        }
    }
}
