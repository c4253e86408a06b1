//! Small maps and sets kept as vectors sorted by key, for what a state holds a few of at most
//! (its locals' values, obligations, threads, lost threads).
//!
//! States are cloned at every branch and dropped at every join, and these are nearly always
//! empty: an empty `BTreeMap` still walks an iterator to drop, where an empty vector checks
//! its capacity; a filled one copies one small allocation instead of an eleven-slot node.
//! Iteration goes in increasing order of key, as the B-trees' did, and `Debug` prints the
//! same, so nothing that depends on order changes.

use std::fmt;

#[derive(PartialEq, Eq)]
pub struct SortedMap<K, V> {
    /// Sorted by key, each key once.
    entries: Vec<(K, V)>,
}

/// A copy is made to be written (`Rc::make_mut` on a state's locals), most often by adding an
/// entry: room for one more spares it a second allocation and move. An empty map's copy
/// allocates nothing.
impl<K: Clone, V: Clone> Clone for SortedMap<K, V> {
    fn clone(&self) -> Self {
        if self.entries.is_empty() {
            return SortedMap { entries: Vec::new() };
        }
        let mut entries = Vec::with_capacity(self.entries.len() + 1);
        entries.extend_from_slice(&self.entries);
        SortedMap { entries }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        SortedMap { entries: Vec::new() }
    }

    fn position(&self, key: &K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(known, _)| known.cmp(key))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let at = self.position(key).ok()?;
        Some(&self.entries[at].1)
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let at = self.position(key).ok()?;
        Some(&mut self.entries[at].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.position(key).is_ok()
    }

    /// Sets what `key` maps to; returns what it mapped to.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.position(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(key, value)| keep(key, value));
    }

    /// The entries in increasing order of key.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(key, value)| (key, value))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.entries.iter_mut().map(|(key, value)| (&*key, value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(key, _)| key)
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, value)| value)
    }
}

impl<K: Ord, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(key, value)| (key, value))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter().map(|(key, value)| (key, value))).finish()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct SortedSet<T> {
    /// Sorted, each item once.
    items: Vec<T>,
}

impl<T: Ord> SortedSet<T> {
    pub const fn new() -> Self {
        SortedSet { items: Vec::new() }
    }

    pub fn of(item: T) -> Self {
        SortedSet { items: vec![item] }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn contains(&self, item: &T) -> bool {
        self.items.binary_search(item).is_ok()
    }

    /// The least item.
    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    /// Adds `item`; whether it was not there yet.
    pub fn insert(&mut self, item: T) -> bool {
        match self.items.binary_search(&item) {
            Ok(_) => false,
            Err(at) => {
                self.items.insert(at, item);
                true
            }
        }
    }

    /// Takes `item` out; whether it was there.
    pub fn remove(&mut self, item: &T) -> bool {
        match self.items.binary_search(item) {
            Ok(at) => {
                self.items.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    /// The items in increasing order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
}

impl<T: Ord> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<'a, T: Ord> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.items.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The same inserts, removes and retains leave them as they leave the B-trees.
    #[test]
    fn they_behave_as_the_btrees() {
        let mut map = SortedMap::new();
        let mut btree_map = BTreeMap::new();
        let mut set = SortedSet::new();
        let mut btree_set = BTreeSet::new();
        for (step, key) in [5u32, 1, 9, 1, 3, 5, 7, 0, 9].into_iter().enumerate() {
            if step % 4 == 3 {
                assert_eq!(map.remove(&key), btree_map.remove(&key));
            } else {
                assert_eq!(map.insert(key, step), btree_map.insert(key, step));
            }
            if step % 3 == 2 {
                assert_eq!(set.remove(&key), btree_set.remove(&key));
            } else {
                assert_eq!(set.insert(key), btree_set.insert(key));
            }
            assert!(map.iter().eq(btree_map.iter()));
            assert!(set.iter().eq(btree_set.iter()));
            assert_eq!(format!("{map:?}"), format!("{btree_map:?}"));
            assert_eq!(format!("{set:?}"), format!("{btree_set:?}"));
            assert_eq!((set.first(), set.len()), (btree_set.first(), btree_set.len()));
            assert!(map.clone().iter().eq(map.iter()));
            for probe in 0..10 {
                assert_eq!(map.get(&probe), btree_map.get(&probe));
                assert_eq!(map.contains_key(&probe), btree_map.contains_key(&probe));
                assert_eq!(map.get_mut(&probe), btree_map.get_mut(&probe));
                assert_eq!(set.contains(&probe), btree_set.contains(&probe));
            }
        }
        map.retain(|key, value| key % 2 == 1 && *value > 2);
        btree_map.retain(|key, value| key % 2 == 1 && *value > 2);
        assert!(map.iter().eq(btree_map.iter()));
        set.retain(|key| key % 3 != 0);
        btree_set.retain(|key| key % 3 != 0);
        assert!(set.iter().eq(btree_set.iter()));
    }
}
