//! Sets of the small numbers a function's analysis gives its connections and forks.
//!
//! States are cloned at every branch and dropped at every join, and most of what they hold
//! are such sets, nearly always of a few ids below 64. A `BTreeSet` allocates a node for one
//! element and walks it to drop it; a bit per id, in one inline word (more words on the heap
//! only for a function with more than 64 sites), costs a copy of a word. Iteration goes in
//! increasing order, as a `BTreeSet`'s does, so nothing that depends on order changes.

use std::fmt;
use std::marker::PhantomData;

/// An id that numbers something from 0 (`ConnId(3)`).
pub trait Id: Copy {
    fn index(self) -> usize;
    fn from_index(index: usize) -> Self;
}

pub struct IdSet<T> {
    /// Bit `i` is id `i`, for ids below 64.
    first: u64,
    /// Bit `i % 64` of word `i / 64 - 1` is id `i`, past 64. Trailing words may be zero.
    /// Behind one thin pointer: a set is 16 bytes, and states hold nine of them.
    #[allow(clippy::box_collection, reason = "a thin pointer keeps the set at 16 bytes")]
    rest: Option<Box<Vec<u64>>>,
    ids: PhantomData<T>,
}

impl<T: Id> IdSet<T> {
    pub fn new() -> Self {
        IdSet { first: 0, rest: None, ids: PhantomData }
    }

    pub fn of(id: T) -> Self {
        let mut set = Self::new();
        set.insert(id);
        set
    }

    fn word_count(&self) -> usize {
        1 + self.rest.as_ref().map_or(0, |rest| rest.len())
    }

    fn word(&self, index: usize) -> u64 {
        match index {
            0 => self.first,
            _ => self.rest.as_ref().and_then(|rest| rest.get(index - 1)).copied().unwrap_or(0),
        }
    }

    /// Word `index`, made room for.
    fn word_mut(&mut self, index: usize) -> &mut u64 {
        if index == 0 {
            return &mut self.first;
        }
        let rest = self.rest.get_or_insert_with(Default::default);
        if rest.len() < index {
            rest.resize(index, 0);
        }
        &mut rest[index - 1]
    }

    /// Adds `id`; whether it was not there yet.
    pub fn insert(&mut self, id: T) -> bool {
        let (word, bit) = place(id);
        let bits = self.word_mut(word);
        let absent = *bits & bit == 0;
        *bits |= bit;
        absent
    }

    /// Takes `id` out; whether it was there.
    pub fn remove(&mut self, id: &T) -> bool {
        let (word, bit) = place(*id);
        if self.word(word) & bit == 0 {
            return false;
        }
        *self.word_mut(word) &= !bit;
        true
    }

    pub fn contains(&self, id: &T) -> bool {
        let (word, bit) = place(*id);
        self.word(word) & bit != 0
    }

    pub fn len(&self) -> usize {
        (0..self.word_count()).map(|index| self.word(index).count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        (0..self.word_count()).all(|index| self.word(index) == 0)
    }

    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// The ids in increasing order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { set: self, word: 0, bits: self.first }
    }

    /// Adds every id of `other`; whether this set grew.
    pub fn union_with(&mut self, other: &Self) -> bool {
        let mut grew = false;
        for index in 0..other.word_count() {
            let theirs = other.word(index);
            if theirs & !self.word(index) != 0 {
                *self.word_mut(index) |= theirs;
                grew = true;
            }
        }
        grew
    }

    /// The ids of this set that `other` lacks.
    pub fn difference(&self, other: &Self) -> Self {
        self.combine(other, |mine, theirs| mine & !theirs)
    }

    /// The ids in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        self.combine(other, |mine, theirs| mine & theirs)
    }

    fn combine(&self, other: &Self, bits: impl Fn(u64, u64) -> u64) -> Self {
        let rest = self.rest.as_ref().map(|rest| {
            let words = rest.iter().enumerate();
            Box::new(words.map(|(index, mine)| bits(*mine, other.word(index + 1))).collect())
        });
        IdSet { first: bits(self.first, other.first), rest, ids: PhantomData }
    }

    pub fn is_disjoint(&self, other: &Self) -> bool {
        self.intersection(other).is_empty()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let dropped: Vec<T> = self.iter().filter(|id| !keep(id)).collect();
        for id in dropped {
            self.remove(&id);
        }
    }
}

fn place<T: Id>(id: T) -> (usize, u64) {
    let index = id.index();
    (index / 64, 1 << (index % 64))
}

pub struct Iter<'a, T> {
    set: &'a IdSet<T>,
    word: usize,
    /// What is left of word `word`.
    bits: u64,
}

impl<T: Id> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        while self.bits == 0 {
            self.word += 1;
            if self.word >= self.set.word_count() {
                return None;
            }
            self.bits = self.set.word(self.word);
        }
        let bit = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(T::from_index(self.word * 64 + bit))
    }
}

impl<T: Id> Default for IdSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for IdSet<T> {
    fn clone(&self) -> Self {
        IdSet { first: self.first, rest: self.rest.clone(), ids: PhantomData }
    }
}

/// Equal when they hold the same ids, whatever zero words trail either.
impl<T: Id> PartialEq for IdSet<T> {
    fn eq(&self, other: &Self) -> bool {
        let words = self.word_count().max(other.word_count());
        (0..words).all(|index| self.word(index) == other.word(index))
    }
}

impl<T: Id> Eq for IdSet<T> {}

impl<T: Id + fmt::Debug> fmt::Debug for IdSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Id> FromIterator<T> for IdSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(ids: I) -> Self {
        let mut set = Self::new();
        set.extend(ids);
        set
    }
}

impl<T: Id> Extend<T> for IdSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, ids: I) {
        for id in ids {
            self.insert(id);
        }
    }
}

impl<T: Id> IntoIterator for IdSet<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter { bits: self.first, set: self, word: 0 }
    }
}

/// The ids of a set given up, in increasing order.
pub struct IntoIter<T> {
    set: IdSet<T>,
    word: usize,
    bits: u64,
}

impl<T: Id> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let mut ids = Iter { set: &self.set, word: self.word, bits: self.bits };
        let next = ids.next();
        (self.word, self.bits) = (ids.word, ids.bits);
        next
    }
}

impl<'a, T: Id> IntoIterator for &'a IdSet<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    struct Small(u32);

    impl Id for Small {
        fn index(self) -> usize {
            self.0 as usize
        }
        fn from_index(index: usize) -> Self {
            Small(index as u32)
        }
    }

    /// Every operation agrees with a `BTreeSet` doing the same, across the word boundary.
    #[test]
    fn behaves_as_a_btreeset_of_the_same_ids() {
        let ids = [0, 1, 5, 63, 64, 65, 127, 128, 200, 5, 64];
        let mut set = IdSet::new();
        let mut reference = BTreeSet::new();
        for id in ids {
            assert_eq!(set.insert(Small(id)), reference.insert(Small(id)), "insert {id}");
            assert_eq!(
                set.iter().collect::<Vec<_>>(),
                reference.iter().copied().collect::<Vec<_>>()
            );
            assert_eq!(set.len(), reference.len());
        }
        let owned: Vec<Small> = set.clone().into_iter().collect();
        assert_eq!(owned, set.iter().collect::<Vec<_>>(), "given up, in the same order");
        let other: IdSet<Small> = [1, 64, 300].map(Small).into_iter().collect();
        let other_reference: BTreeSet<Small> = [1, 64, 300].map(Small).into_iter().collect();
        let difference: Vec<_> = set.difference(&other).iter().collect();
        assert_eq!(difference, reference.difference(&other_reference).copied().collect::<Vec<_>>());
        let both: Vec<_> = set.intersection(&other).iter().collect();
        assert_eq!(both, reference.intersection(&other_reference).copied().collect::<Vec<_>>());
        assert!(!set.is_disjoint(&other));
        for id in [63, 64, 999, 0] {
            assert_eq!(set.remove(&Small(id)), reference.remove(&Small(id)), "remove {id}");
            assert_eq!(set.contains(&Small(id)), reference.contains(&Small(id)));
        }
        set.retain(|id| id.0 % 2 == 1);
        reference.retain(|id| id.0 % 2 == 1);
        assert_eq!(set.iter().collect::<Vec<_>>(), reference.iter().copied().collect::<Vec<_>>());
        let mut grown = set.clone();
        assert!(grown.union_with(&other));
        assert!(!grown.union_with(&other));
        assert_eq!(grown.len(), reference.union(&other_reference).count());
    }

    #[test]
    fn sets_with_the_same_ids_are_equal_whatever_words_trail() {
        let mut wide = IdSet::of(Small(200));
        wide.remove(&Small(200));
        wide.insert(Small(3));
        assert_eq!(wide, IdSet::of(Small(3)));
        assert_eq!(IdSet::of(Small(3)), wide);
        assert_ne!(wide, IdSet::of(Small(4)));
        assert!(IdSet::<Small>::new().is_empty() && wide.clone().difference(&wide).is_empty());
    }
}
