//! The part of the summaries' index that leaves memory: whenever the index in memory passes
//! a size (`summary_table::SEAL_AT`), the keys with one function that no earlier run may hold
//! are *sealed* into a run, their (key hash, slot) entries sorted and appended to the spill.
//! Memory keeps, per run, a Bloom filter and the first key of each block of entries, and one
//! filter over every run: a lookup of a name no function has (most lookups) answers from that
//! filter, and one that a run holds reads a block of it. A key that a run may already hold
//! stays in memory from then on, so a key's sealed functions are in one run, not spread over
//! many.

use std::collections::HashSet;

use super::spill::Spill;
use super::summary_table::Slot;

/// Entries a block: a lookup that a run holds reads one block of it (3 KiB).
const BLOCK: usize = 128;

/// A key hash and its slot, encoded.
const ENTRY: usize = 8 + Slot::BYTES;

#[derive(Debug, Default)]
pub(super) struct Sealed {
    runs: Vec<Run>,
    /// Over every run's keys, sized for the run's functions (`expect`).
    any: Bloom,
    /// Slots of sealed functions replaced or removed since, by record offset.
    removed: HashSet<u64, foldhash::fast::RandomState>,
}

#[derive(Debug)]
struct Run {
    start: u64,
    count: usize,
    /// The key of every `BLOCK`th entry.
    fences: Box<[u64]>,
    keys: Bloom,
}

impl Sealed {
    /// A table for about `keys` keys in all.
    pub fn expect(keys: usize) -> Self {
        Sealed { any: Bloom::with_room(keys, 16), ..Sealed::default() }
    }

    /// Whether some run may hold `key` (a key that does not stays in memory).
    pub fn may_hold(&self, key: u64) -> bool {
        self.any.may_contain(key) && self.runs.iter().any(|run| run.keys.may_contain(key))
    }

    /// Appends `entries` (one slot a key, no key `may_hold`) as a run.
    pub fn seal(&mut self, mut entries: Vec<(u64, Slot)>, spill: &mut Spill) {
        if entries.is_empty() {
            return;
        }
        entries.sort_unstable_by_key(|&(key, slot)| (key, slot.file(), slot.offset()));
        if self.any.words.is_empty() {
            // Not sized by `expect`: room for what comes first (more only adds false
            // positives, which cost a read).
            self.any = Bloom::with_room(4 * entries.len(), 16);
        }
        let mut bytes = Vec::with_capacity(entries.len() * ENTRY);
        // 16 bits a key: about 0.05% false positives, and a run of 20,000 files has a hundred
        // runs or more for a key to be wrongly held in.
        let mut keys = Bloom::with_room(entries.len(), 16);
        for &(key, slot) in &entries {
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(&slot.to_bytes());
            keys.insert(key);
            self.any.insert(key);
        }
        let fences = entries.iter().step_by(BLOCK).map(|&(key, _)| key).collect();
        let start = spill.append(&[&bytes]);
        self.runs.push(Run { start, count: entries.len(), fences, keys });
    }

    /// The slots sealed under `key` and not removed since; a block that cannot be read
    /// gives none.
    pub fn slots(&self, key: u64, spill: &Spill) -> Vec<Slot> {
        if !self.any.may_contain(key) {
            return Vec::new();
        }
        let runs = self.runs.iter().filter(|run| run.keys.may_contain(key));
        let mut slots: Vec<Slot> = runs.flat_map(|run| run.slots(key, spill)).collect();
        slots.retain(|slot| !self.removed.contains(&slot.offset()));
        slots
    }

    /// The sealed function at `offset` is replaced or removed.
    pub fn remove(&mut self, offset: u64) {
        self.removed.insert(offset);
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

impl Run {
    fn slots(&self, key: u64, spill: &Spill) -> Vec<Slot> {
        let mut block = self.fences.partition_point(|&first| first < key).saturating_sub(1);
        let mut slots = Vec::new();
        while block * BLOCK < self.count {
            let first = block * BLOCK;
            let len = BLOCK.min(self.count - first);
            let Some(bytes) = spill.read(self.start + (first * ENTRY) as u64, len * ENTRY) else {
                break;
            };
            let mut past = false;
            for entry in bytes.chunks_exact(ENTRY) {
                let (entry_key, slot) = entry.split_at(8);
                let entry_key = u64::from_le_bytes(entry_key.try_into().unwrap_or_default());
                if entry_key == key {
                    slots.extend(Slot::from_bytes(slot));
                }
                past |= entry_key > key;
            }
            if past {
                break;
            }
            block += 1;
        }
        slots
    }
}

/// A Bloom filter of key hashes (already uniform: the bits come from the hash itself).
#[derive(Debug, Default)]
struct Bloom {
    words: Box<[u64]>,
}

/// Bits set a key: about the best for 16 bits a key.
const PROBES: u64 = 11;

impl Bloom {
    fn with_room(keys: usize, bits_a_key: usize) -> Self {
        let words = (keys.max(64) * bits_a_key).div_ceil(64);
        Bloom { words: vec![0; words].into_boxed_slice() }
    }

    /// The bits of `key` in a filter of `words` words, by double hashing.
    fn bits(words: usize, key: u64) -> impl Iterator<Item = usize> {
        let bits = (words * 64) as u64;
        let step = key.rotate_left(32) | 1;
        (0..PROBES).map(move |probe| (key.wrapping_add(probe.wrapping_mul(step)) % bits) as usize)
    }

    fn insert(&mut self, key: u64) {
        if self.words.is_empty() {
            return;
        }
        for bit in Bloom::bits(self.words.len(), key) {
            self.words[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// False only for a key never inserted; an empty filter holds nothing.
    fn may_contain(&self, key: u64) -> bool {
        !self.words.is_empty()
            && Bloom::bits(self.words.len(), key)
                .all(|bit| self.words[bit / 64] & (1 << (bit % 64)) != 0)
    }
}
