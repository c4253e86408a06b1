//! The names of a run's files, hashed, before anything is lowered: what each file defines
//! and calls, which function calls what, and one table of every name the tree defines. The
//! first round's order (`waves.rs`) and the functions a run needs (`demand.rs`) are read off
//! them.
//!
//! Names are kept as 64-bit hashes of the language and the name: the whole tree's names are
//! held at once here, and two names sharing a hash could only misorder the first round or
//! make more functions needed (a wrong guess costs a round or some work, never a finding).

use std::hash::BuildHasher;
use std::ops::Range;

use crate::ir::{FileNames, Language};

/// The names a file defines and calls, hashed, and who calls what.
#[derive(Debug, Default)]
pub struct NameHashes {
    defined: Box<[u64]>,
    called: Box<[u64]>,
    /// Each function as LEB128 numbers: its name's index in `defined` plus one (zero for the
    /// calls made outside every function), how many calls it makes, then the index in
    /// `called` of each (sorted) as its distance from the one before. About a byte a call:
    /// the whole tree's are held at once, and nearly all are calls to names defined nowhere
    /// in it, which only a table of the whole tree can tell.
    bodies: Box<[u8]>,
    pub(super) opaque: bool,
}

const NAMES: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x0ade_5ca1);

/// A name as the run's tables hold it: hashed with its language.
pub fn name_hash(language: Language, name: &str) -> u64 {
    NAMES.hash_one((language, name))
}

impl NameHashes {
    pub fn of(language: Language, names: FileNames) -> Self {
        let hash = |name: String| name_hash(language, &name);
        let mut bodies = Vec::new();
        // An opaque file's functions are not told apart: all it calls is taken to report.
        let functions = if names.opaque { Vec::new() } else { names.functions };
        for function in functions {
            push_number(&mut bodies, function.name.map_or(0, |index| u64::from(index) + 1));
            push_number(&mut bodies, function.calls.len() as u64);
            let mut previous = 0;
            for call in function.calls {
                push_number(&mut bodies, u64::from(call.saturating_sub(previous)));
                previous = call;
            }
        }
        NameHashes {
            defined: names.defined.into_iter().map(hash).collect(),
            called: names.called.into_iter().map(hash).collect(),
            bodies: bodies.into_boxed_slice(),
            opaque: names.opaque,
        }
    }

    /// How many names the file defines.
    pub fn defined(&self) -> usize {
        self.defined.len()
    }

    /// The hashes of the names the file defines.
    pub(super) fn defined_names(&self) -> &[u64] {
        &self.defined
    }

    /// The hashes of the names the file calls.
    pub(super) fn called_names(&self) -> &[u64] {
        &self.called
    }

    /// Calls `each` with every function's name (`None` for the calls made outside every
    /// function) and the hashes of the names it calls.
    pub(super) fn for_each_function(&self, mut each: impl FnMut(Option<u64>, &[u64])) {
        let mut calls = Vec::new();
        let mut at = 0;
        while at < self.bodies.len() {
            let name = read_number(&self.bodies, &mut at).checked_sub(1);
            let count = read_number(&self.bodies, &mut at);
            let mut index = 0u64;
            calls.clear();
            for _ in 0..count {
                index += read_number(&self.bodies, &mut at);
                calls.extend(usize::try_from(index).ok().and_then(|i| self.called.get(i)).copied());
            }
            let name = name.and_then(|index| self.defined.get(usize::try_from(index).ok()?));
            each(name.copied(), &calls);
        }
    }
}

/// Appends `number` in LEB128: seven bits a byte, the high bit set on all but the last.
fn push_number(bytes: &mut Vec<u8>, mut number: u64) {
    while number >= 0x80 {
        bytes.push((number & 0x7f) as u8 | 0x80);
        number >>= 7;
    }
    bytes.push(number as u8);
}

/// The LEB128 number at `*at`, which moves past it; zero past the end.
fn read_number(bytes: &[u8], at: &mut usize) -> u64 {
    let mut number = 0u64;
    let mut shift = 0;
    while let Some(&byte) = bytes.get(*at) {
        *at += 1;
        number |= u64::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    number
}

/// Where each bucket of a sorted table of hashes starts, a bucket being the hashes that share
/// their top bits: a lookup reads a few neighbouring entries, where a binary search would
/// take seventeen steps across a table of the tree's names, and a hash set twice the room.
#[derive(Debug, Default)]
pub struct Buckets {
    /// Where each bucket's entries start, and, last, where they all end.
    starts: Vec<u32>,
    /// How far a hash shifts right to its bucket's number.
    shift: u32,
}

/// About so many entries a bucket: a byte of index an entry.
const PER_BUCKET: usize = 4;

impl Buckets {
    pub fn of(sorted: &[u64]) -> Buckets {
        let bits = (sorted.len() / PER_BUCKET).max(2).ilog2();
        let shift = u64::BITS - bits;
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut at = 0;
        for bucket in 0..=(1u64 << bits) {
            at += sorted[at..].partition_point(|&hash| hash >> shift < bucket);
            starts.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
        Buckets { starts, shift }
    }

    /// Where in the table the entries whose top bits are `hash`'s are.
    pub fn of_hash(&self, hash: u64) -> Range<usize> {
        let bucket = hash.checked_shr(self.shift).unwrap_or(0) as usize;
        match (self.starts.get(bucket), self.starts.get(bucket + 1)) {
            (Some(&start), Some(&end)) => start as usize..end as usize,
            _ => 0..0,
        }
    }
}

/// Every name the run's files define, once each, and the one file that defines it where
/// only one does.
#[derive(Debug, Default)]
pub struct TreeNames {
    /// Sorted. With the names opaque files call, which may be their definitions misread.
    names: Vec<u64>,
    buckets: Buckets,
    /// Per name: the one file that defines it, `NO_FILE` (only an opaque file's call) or
    /// `MANY_FILES`.
    definer: Vec<u32>,
}

/// Files past `u32::MAX - 2` (never, in practice) order nothing.
const NO_FILE: u32 = u32::MAX;
const MANY_FILES: u32 = u32::MAX - 1;

impl TreeNames {
    pub fn of(files: &[NameHashes]) -> TreeNames {
        let opaque_calls = files.iter().filter(|file| file.opaque).map(NameHashes::called_names);
        let count = files.iter().map(NameHashes::defined).sum::<usize>()
            + opaque_calls.clone().map(<[u64]>::len).sum::<usize>();
        let mut names = Vec::with_capacity(count);
        names.extend(files.iter().flat_map(|file| file.defined_names().iter().copied()));
        names.extend(opaque_calls.flatten().copied());
        names.sort_unstable();
        names.dedup();
        names.shrink_to_fit();
        let buckets = Buckets::of(&names);
        let mut tree = TreeNames { definer: vec![NO_FILE; names.len()], names, buckets };
        for (id, file) in files.iter().enumerate() {
            let id = u32::try_from(id).ok().filter(|&id| id < MANY_FILES).unwrap_or(MANY_FILES);
            for &name in file.defined_names() {
                if let Some(index) = tree.index(name) {
                    let definer = &mut tree.definer[index as usize];
                    *definer = if *definer == NO_FILE || *definer == id { id } else { MANY_FILES };
                }
            }
        }
        tree
    }

    /// How many names the tree defines.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// The tree's names, sorted.
    pub fn names(&self) -> &[u64] {
        &self.names
    }

    /// Where `name` is in `names`, if the tree defines it (a tree of more than four billion
    /// names could not be held anyway).
    pub fn index(&self, name: u64) -> Option<u32> {
        let bucket = self.buckets.of_hash(name);
        let start = bucket.start;
        let at = self.names.get(bucket)?.iter().position(|&known| known == name)?;
        u32::try_from(start + at).ok()
    }

    /// The one file that defines `name`, if exactly one does.
    pub fn only_definer(&self, name: u64) -> Option<usize> {
        let definer = self.definer[self.index(name)? as usize];
        (definer < MANY_FILES).then_some(definer as usize)
    }
}

/// For the lookup tables' tests: `count` distinct names' hashes to find, and as many others.
#[cfg(test)]
pub(super) fn known_and_unknown(count: usize) -> (Vec<u64>, Vec<u64>) {
    let mut hashes: Vec<u64> =
        (0..count * 2).map(|n| name_hash(Language::C, &n.to_string())).collect();
    let unknown = hashes.split_off(count);
    (hashes, unknown)
}

/// The sizes of table the lookup tables' tests try: empty, tiny, one bucket, many.
#[cfg(test)]
pub(super) const TABLE_SIZES: [usize; 6] = [0, 1, 2, 5, 100, 4_099];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::FunctionNames;

    #[test]
    fn functions_read_back_as_they_were_scanned() {
        let called: Vec<String> = (0..300).map(|n| format!("callee_{n:03}")).collect();
        let names = FileNames {
            defined: vec!["first".into(), "second".into()],
            called: called.clone(),
            functions: vec![
                FunctionNames { name: Some(1), calls: vec![0, 5, 130, 299] },
                FunctionNames { name: None, calls: vec![] },
                FunctionNames { name: Some(0), calls: vec![200] },
            ],
            opaque: false,
        };
        let file = NameHashes::of(Language::C, names);
        let mut seen = Vec::new();
        file.for_each_function(|name, calls| seen.push((name, calls.to_vec())));
        let hash = |name: &str| name_hash(Language::C, name);
        let calls = |indices: &[usize]| indices.iter().map(|&i| hash(&called[i])).collect();
        assert_eq!(
            seen,
            vec![
                (Some(hash("second")), calls(&[0, 5, 130, 299])),
                (None, calls(&[])),
                (Some(hash("first")), calls(&[200])),
            ]
        );
    }

    #[test]
    fn a_hash_is_found_in_its_bucket_whatever_the_table_size() {
        for size in TABLE_SIZES {
            let (known, unknown) = known_and_unknown(size);
            let mut sorted = known.clone();
            sorted.sort_unstable();
            let buckets = Buckets::of(&sorted);
            for &hash in &known {
                assert!(sorted[buckets.of_hash(hash)].contains(&hash), "size {size}");
            }
            for &hash in &unknown {
                assert!(!sorted[buckets.of_hash(hash)].contains(&hash), "size {size}");
            }
        }
        assert_eq!(Buckets::default().of_hash(7), 0..0);
    }

    #[test]
    fn numbers_of_every_width_read_back() {
        let numbers = [0, 1, 127, 128, 300, 16_383, 16_384, u64::from(u32::MAX), u64::MAX];
        let mut bytes = Vec::new();
        numbers.iter().for_each(|&number| push_number(&mut bytes, number));
        let mut at = 0;
        let read: Vec<u64> = numbers.iter().map(|_| read_number(&bytes, &mut at)).collect();
        assert_eq!(read, numbers);
        assert_eq!(read_number(&bytes, &mut at), 0, "past the end");
    }

    #[test]
    fn a_name_has_one_definer_only_when_one_file_defines_it() {
        let file = |defined: &[&str], called: &[&str], opaque| {
            let names = FileNames {
                defined: defined.iter().map(|s| s.to_string()).collect(),
                called: called.iter().map(|s| s.to_string()).collect(),
                opaque,
                ..FileNames::default()
            };
            NameHashes::of(Language::C, names)
        };
        let files = [
            file(&["once", "twice"], &[], false),
            file(&["twice"], &[], false),
            file(&[], &["misread"], true),
        ];
        let tree = TreeNames::of(&files);
        let hash = |name: &str| name_hash(Language::C, name);
        assert_eq!(tree.len(), 3);
        assert_eq!(tree.only_definer(hash("once")), Some(0));
        assert_eq!(tree.only_definer(hash("twice")), None);
        assert_eq!(tree.only_definer(hash("misread")), None);
        assert!(tree.index(hash("misread")).is_some(), "what an opaque file calls is defined");
        assert_eq!(tree.index(hash("elsewhere")), None);
    }
}
