//! Every summary of the run, found by the name a call uses. The summaries themselves are in a
//! [`Spill`] (a temporary file on a run over files on disk); memory keeps, per name key, where
//! each function's record is and which file defines it: a lookup of a name no function has (most
//! of them: calls of library functions) reads nothing, and the others read a record or two.
//!
//! A record is the function's language, full name and encoded summary, with the summary's
//! fingerprint. Keys are kept as hashes and checked against the records read, so two names
//! sharing a hash never mix.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use super::sealed::Sealed;
use super::spill::{Encoded, Fingerprint, Spill};
use super::summary::{last_segments, path_matches, Found, Seen, SummaryEntry};
use crate::ir::{Callee, Language};

/// Where a function's record is, and the file that defines it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    offset: u64,
    /// The record's length, and in the top bit whether the name has at most two segments
    /// (it is its own name key): a call path that ends with the key fits it unread.
    len_and_short: u32,
    file: u32,
}

const SHORT_NAME: u32 = 1 << 31;

impl Slot {
    fn len(self) -> u32 {
        self.len_and_short & !SHORT_NAME
    }

    fn short_name(self) -> bool {
        self.len_and_short & SHORT_NAME != 0
    }

    pub fn file(self) -> usize {
        self.file as usize
    }

    pub(super) fn offset(self) -> u64 {
        self.offset
    }

    pub(super) const BYTES: usize = 16;

    pub(super) fn to_bytes(self) -> [u8; Self::BYTES] {
        let mut bytes = [0; Self::BYTES];
        bytes[..8].copy_from_slice(&self.offset.to_le_bytes());
        bytes[8..12].copy_from_slice(&self.len_and_short.to_le_bytes());
        bytes[12..].copy_from_slice(&self.file.to_le_bytes());
        bytes
    }

    pub(super) fn from_bytes(bytes: &[u8]) -> Option<Slot> {
        let offset = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
        let len_and_short = u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
        let file = u32::from_le_bytes(bytes.get(12..16)?.try_into().ok()?);
        Some(Slot { offset, len_and_short, file })
    }
}

/// The functions under one key, sorted by file: most keys have one.
#[derive(Debug)]
enum Slots {
    One(Slot),
    Many(Vec<Slot>),
}

impl Slots {
    fn as_slice(&self) -> &[Slot] {
        match self {
            Slots::One(slot) => std::slice::from_ref(slot),
            Slots::Many(slots) => slots,
        }
    }

    fn insert(&mut self, slot: Slot) {
        let mut slots = match self {
            Slots::One(only) => vec![*only],
            Slots::Many(slots) => std::mem::take(slots),
        };
        // Exactly the room needed while the key has few (a vector's first growth makes room
        // for four), doubling past them.
        if slots.len() < 4 {
            slots.reserve_exact(1);
        }
        let at = slots.partition_point(|known| known.file <= slot.file);
        slots.insert(at, slot);
        *self = Slots::Many(slots);
    }

    /// Removes the slot of the record at `offset`; false when none is left.
    fn remove(&mut self, offset: u64) -> bool {
        match self {
            Slots::One(only) => only.offset != offset,
            Slots::Many(slots) => {
                slots.retain(|slot| slot.offset != offset);
                let left = !slots.is_empty();
                if let [only] = slots[..] {
                    *self = Slots::One(only);
                }
                left
            }
        }
    }
}

/// A name key: functions by the last two segments of their names (`Pool::open`, `connect`),
/// and `Type::method` functions also by the method's name alone, for `value.method()` calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Name,
    Method,
}

impl Kind {
    fn segments(self) -> usize {
        match self {
            Kind::Name => 2,
            Kind::Method => 1,
        }
    }
}

/// Keys in memory past which a table that seals does: a small tree (a few thousand functions)
/// keeps its index in memory, where a lookup reads no block of a run.
const SEAL_AT: usize = 8192;

/// Hashes keys the same way in every table of the run.
const KEYS: foldhash::fast::FixedState = foldhash::fast::FixedState::with_seed(0x5eed_fd17);

fn key_hash(language: Language, kind: Kind, key: &str) -> u64 {
    KEYS.hash_one((language, kind, key))
}

#[derive(Debug, Default)]
pub struct Summaries {
    /// Keys filed since the last seal, and keys a run may already hold.
    keys: HashMap<u64, Slots, foldhash::fast::RandomState>,
    /// The rest, in runs in the spill (`seal`).
    sealed: Sealed,
    /// Seal when this many keys are in memory (0: never on its own).
    seal_at: usize,
    spill: Spill,
    /// Bytes of the spill whose records a function still has (the others were replaced).
    live: u64,
    functions: usize,
}

/// A function's record as read back; `None` parts when it could not be read, which makes
/// the function one a call cannot see into.
#[derive(Debug)]
pub(super) struct Record {
    pub slot: Slot,
    read: Option<ReadRecord>,
}

#[derive(Debug)]
struct ReadRecord {
    fingerprint: Fingerprint,
    language: Language,
    name: String,
    summary: Vec<u8>,
}

const HEADER: usize = 16 + 1 + 4;

impl ReadRecord {
    fn parse(bytes: &[u8]) -> Option<ReadRecord> {
        let fingerprint = Fingerprint::from_le_bytes(bytes.get(..16)?.try_into().ok()?);
        let language = if *bytes.get(16)? == 0 { Language::C } else { Language::Rust };
        let name_len = u32::from_le_bytes(bytes.get(17..HEADER)?.try_into().ok()?);
        let name_end = HEADER.checked_add(usize::try_from(name_len).ok()?)?;
        let name = std::str::from_utf8(bytes.get(HEADER..name_end)?).ok()?.to_string();
        let summary = bytes[name_end..].to_vec();
        Some(ReadRecord { fingerprint, language, name, summary })
    }
}

impl Record {
    pub fn name(&self) -> Option<&str> {
        self.read.as_ref().map(|read| read.name.as_str())
    }

    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.read.as_ref().map(|read| read.fingerprint)
    }

    pub fn summary(&self) -> Found {
        self.read.as_ref().and_then(|read| Encoded::decode(&read.summary)).map(Arc::new)
    }
}

impl Summaries {
    /// A table whose records go to `spill`, for about `functions` functions.
    pub fn spilling(spill: Spill, functions: usize) -> Self {
        // A method is filed under two keys.
        let sealed = Sealed::expect(2 * functions);
        Summaries { spill, sealed, seal_at: SEAL_AT, ..Summaries::default() }
    }

    /// Moves the keys filed since the last seal that have one function, and that no run may
    /// already hold, out of memory into a run in the spill (on its own, past `seal_at` keys).
    pub fn seal(&mut self) {
        let mut entries = Vec::new();
        let sealed = &self.sealed;
        self.keys.retain(|&key, slots| match slots {
            Slots::One(slot) if !sealed.may_hold(key) => {
                entries.push((key, *slot));
                false
            }
            _ => true,
        });
        self.keys.shrink_to_fit();
        self.sealed.seal(entries, &mut self.spill);
        if self.seal_at > 0 {
            // Keys that stay (defined twice, or a run may hold them) do not make it seal again
            // and again.
            self.seal_at = (2 * self.keys.len()).max(SEAL_AT);
        }
    }

    pub fn insert(&mut self, language: Language, entry: SummaryEntry) {
        let encoded = Encoded::of(&entry.summary);
        self.replace(language, entry.file, &entry.name, &encoded);
    }

    /// Files the function `name` of `file` under its keys with `summary`, unless it has that
    /// summary already; returns whether it changed (a new function, or another summary).
    pub fn replace(
        &mut self,
        language: Language,
        file: usize,
        name: &str,
        summary: &Encoded,
    ) -> bool {
        let old = self.record_of(language, file, name);
        if old.as_ref().is_some_and(|old| old.fingerprint() == Some(summary.fingerprint)) {
            return false;
        }
        if let Some(old) = old {
            self.forget(language, name, &old);
        }
        self.file_new(language, file, name, summary);
        true
    }

    /// Files a function the table does not have.
    fn file_new(&mut self, language: Language, file: usize, name: &str, summary: &Encoded) {
        let language_byte = [u8::from(language == Language::Rust)];
        let name_len = u32::try_from(name.len()).unwrap_or(u32::MAX).to_le_bytes();
        let parts: [&[u8]; 5] = [
            &summary.fingerprint.to_le_bytes(),
            &language_byte,
            &name_len,
            name.as_bytes(),
            &summary.bytes,
        ];
        let len = parts.iter().map(|part| part.len()).sum::<usize>();
        // A record past 2 GiB (never) reads back as nothing: a call that cannot see into it.
        let len = u32::try_from(len).unwrap_or(u32::MAX) & !SHORT_NAME;
        let short = if last_segments(name, 2) == name { SHORT_NAME } else { 0 };
        let slot = Slot {
            offset: self.spill.append(&parts),
            len_and_short: len | short,
            file: u32::try_from(file).unwrap_or(u32::MAX),
        };
        for (kind, key) in keys_of(name) {
            match self.keys.entry(key_hash(language, kind, key)) {
                std::collections::hash_map::Entry::Occupied(mut slots) => {
                    slots.get_mut().insert(slot)
                }
                std::collections::hash_map::Entry::Vacant(vacant) => {
                    vacant.insert(Slots::One(slot));
                }
            }
        }
        self.live += u64::from(slot.len());
        self.functions += 1;
        if self.seal_at > 0 && self.keys.len() >= self.seal_at {
            // A wave may hold most of the run's functions: seal within its merge too.
            self.seal();
        }
    }

    /// Forgets the function `name` defined in `file` (it was deleted or renamed).
    pub fn remove(&mut self, language: Language, file: usize, name: &str) {
        if let Some(record) = self.record_of(language, file, name) {
            self.forget(language, name, &record);
        }
    }

    /// Forgets the function `name` whose record is `record`.
    fn forget(&mut self, language: Language, name: &str, record: &Record) {
        let offset = record.slot.offset;
        for (kind, key) in keys_of(name) {
            let hash = key_hash(language, kind, key);
            match self.keys.get_mut(&hash) {
                Some(slots) if slots.as_slice().iter().any(|slot| slot.offset == offset) => {
                    if !slots.remove(offset) {
                        self.keys.remove(&hash);
                    }
                }
                _ => self.sealed.remove(offset),
            }
        }
        self.live -= u64::from(record.slot.len());
        self.functions -= 1;
    }

    fn record_of(&self, language: Language, file: usize, name: &str) -> Option<Record> {
        let key = last_segments(name, 2);
        let candidates = self.candidates_by(language, Kind::Name, key, None)?;
        let mut records = candidates.in_file(file).filter_map(|slot| candidates.record(slot));
        records.find(|record| record.name() == Some(name))
    }

    fn read(&self, slot: Slot) -> Record {
        let bytes = self.spill.read(slot.offset, slot.len() as usize);
        Record { slot, read: bytes.as_deref().and_then(ReadRecord::parse) }
    }

    pub fn len(&self) -> usize {
        self.functions
    }

    pub fn is_empty(&self) -> bool {
        self.functions == 0
    }

    /// When most of the spill is records no function has any more (a long-lived run, edited
    /// again and again), copies the live ones into a new spill in memory.
    pub fn compact(&mut self) {
        // A run that seals (a run over files on disk) does not live long enough to need it.
        if !self.sealed.is_empty() || self.spill.len() <= 2 * self.live + (1 << 20) {
            return;
        }
        let mut spill = Spill::default();
        let mut moved: HashMap<u64, u64> = HashMap::new();
        for slots in self.keys.values_mut() {
            let slots = match slots {
                Slots::One(slot) => std::slice::from_mut(slot),
                Slots::Many(slots) => slots.as_mut_slice(),
            };
            for slot in slots {
                let old = slot.offset;
                let Some(bytes) = self.spill.read(old, slot.len() as usize) else { continue };
                slot.offset = *moved.entry(old).or_insert_with(|| spill.append(&[&bytes]));
            }
        }
        self.spill = spill;
    }

    /// The summary a call in `file` finds: the one function it names (one in the same file
    /// wins over others elsewhere), or nothing when the name is unknown or ambiguous.
    pub fn lookup(&self, language: Language, file: usize, callee: &Callee) -> Found {
        self.find(language, file, callee)?.summary()
    }

    fn find(&self, language: Language, file: usize, callee: &Callee) -> Option<Record> {
        let candidates = self.candidates_of(language, callee)?;
        let found = match callee {
            Callee::Method(_) => the_one(candidates.matching()),
            _ if !prefers_own_file(callee) => {
                the_one(candidates.matching().filter(|slot| slot.file() != file))
            }
            _ => match at_most_two(candidates.in_file(file)) {
                Count::One(only) => Some(only),
                Count::Two => None,
                Count::None => the_one(candidates.matching()),
            },
        };
        candidates.record(found?)
    }

    /// Whether every lookup a file's analysis made finds the same summary now.
    pub fn still_finds(&self, language: Language, file: usize, seen: &[Seen]) -> bool {
        seen.iter().all(|(callee, found)| {
            self.find(language, file, callee).and_then(|record| record.fingerprint()) == *found
        })
    }

    /// Every function a callee may name, before ambiguity is ruled out; `None` when none.
    pub(super) fn candidates_of<'p>(
        &self,
        language: Language,
        callee: &'p Callee,
    ) -> Option<Candidates<'_, 'p>> {
        match callee {
            Callee::Path(path) => self.candidates(language, path),
            Callee::Method(name) => self.candidates_by(language, Kind::Method, name, None),
            Callee::Unknown => None,
        }
    }

    /// A path's candidates: the functions whose name ends it, by its last two segments, else
    /// (`crate::db::connect` when no `db::connect` is known) every function of its last name.
    fn candidates<'p>(&self, language: Language, path: &'p str) -> Option<Candidates<'_, 'p>> {
        let path = path.strip_prefix("crate::").unwrap_or(path);
        let tail = last_segments(path, 2);
        let by_tail = self.candidates_by(language, Kind::Name, tail, Some(path));
        by_tail.or_else(|| self.candidates_by(language, Kind::Name, last_segments(path, 1), None))
    }

    /// The functions filed under `key`, if any is; `path`, when set, must end with their name.
    fn candidates_by<'p>(
        &self,
        language: Language,
        kind: Kind,
        key: &'p str,
        path: Option<&'p str>,
    ) -> Option<Candidates<'_, 'p>> {
        let hash = key_hash(language, kind, key);
        let filed = self.keys.get(&hash).map_or(&[][..], Slots::as_slice);
        let sealed = self.sealed.slots(hash, &self.spill);
        let slots = if sealed.is_empty() {
            Cow::Borrowed(filed)
        } else {
            let mut all = [filed, &sealed].concat();
            all.sort_by_key(|slot| slot.file);
            Cow::Owned(all)
        };
        if slots.is_empty() {
            return None;
        }
        Some(Candidates { table: self, slots, language, kind, key, path })
    }
}

/// The keys a function is filed under.
fn keys_of(name: &str) -> impl Iterator<Item = (Kind, &str)> {
    let method = name.contains("::").then(|| (Kind::Method, last_segments(name, 1)));
    std::iter::once((Kind::Name, last_segments(name, 2))).chain(method)
}

/// The functions a call may mean: their slots, read only when a name must be checked and for
/// the one a lookup settles on. The slots are counted unread, so a slot of another key that
/// shares the hash (vanishingly rare) can only make a call ambiguous, never find a function:
/// the record found is checked to be of the key.
pub(super) struct Candidates<'a, 'p> {
    table: &'a Summaries,
    slots: Cow<'a, [Slot]>,
    language: Language,
    kind: Kind,
    key: &'p str,
    path: Option<&'p str>,
}

impl Candidates<'_, '_> {
    pub fn matching(&self) -> impl Iterator<Item = Slot> + '_ {
        self.slots.iter().copied().filter(|&slot| self.fits(slot))
    }

    pub fn in_file(&self, file: usize) -> impl Iterator<Item = Slot> + '_ {
        let file = u32::try_from(file).unwrap_or(u32::MAX);
        let start = self.slots.partition_point(|slot| slot.file < file);
        let end = self.slots.partition_point(|slot| slot.file <= file);
        self.slots[start..end].iter().copied().filter(|&slot| self.fits(slot))
    }

    /// Whether the call path ends with the function's name (a name that is its own key does).
    fn fits(&self, slot: Slot) -> bool {
        let Some(path) = self.path.filter(|_| !slot.short_name()) else { return true };
        self.table.read(slot).name().is_none_or(|name| path_matches(path, name))
    }

    /// The record of `slot`, unless it is of another key; one that cannot be read is kept
    /// (it finds nothing).
    pub fn record(&self, slot: Slot) -> Option<Record> {
        let record = self.table.read(slot);
        let of_key = |read: &ReadRecord| {
            read.language == self.language
                && last_segments(&read.name, self.kind.segments()) == self.key
        };
        record.read.as_ref().is_none_or(of_key).then_some(record)
    }

    /// The full name of the function of `slot`, read.
    pub fn name_of(&self, slot: Slot) -> Option<String> {
        self.record(slot)?.read.map(|read| read.name)
    }
}

pub(super) enum Count<T> {
    None,
    One(T),
    Two,
}

/// How many items there are, counting no further than two.
pub(super) fn at_most_two<T>(mut items: impl Iterator<Item = T>) -> Count<T> {
    match (items.next(), items.next()) {
        (None, _) => Count::None,
        (Some(only), None) => Count::One(only),
        (Some(_), Some(_)) => Count::Two,
    }
}

pub(super) fn the_one<T>(items: impl Iterator<Item = T>) -> Option<T> {
    match at_most_two(items) {
        Count::One(only) => Some(only),
        _ => None,
    }
}

/// Whether a call path means a function of its own file before any other of the same name: a
/// plain name (`connect`; every C call), `self::connect`, or a type's function
/// (`Pool::open`). A path through a module (`crate::net::connect`, `net::connect`,
/// `super::connect`) means that module's function, in another file: the caller's own
/// `connect` is another function (often the wrapper making the call).
pub(super) fn prefers_own_file(callee: &Callee) -> bool {
    let Callee::Path(path) = callee else { return true };
    let path = path.strip_prefix("crate::").unwrap_or(path);
    match path.rsplit("::").nth(1) {
        None | Some("self") => true,
        Some(qualifier) => qualifier.starts_with(char::is_uppercase),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::summary::{Summary, SummaryView};

    fn entry(name: &str, file: usize, runs: bool) -> SummaryEntry {
        SummaryEntry { name: name.into(), file, summary: Summary { runs, ..Summary::default() } }
    }

    /// Whether the function a call from `file` finds runs on.
    fn runs_from(
        summaries: &Summaries,
        language: Language,
        file: usize,
        callee: &Callee,
    ) -> Option<bool> {
        summaries.lookup(language, file, callee).map(|summary| summary.runs)
    }

    /// As `runs_from`, from a file that defines nothing.
    fn runs(summaries: &Summaries, language: Language, callee: &Callee) -> Option<bool> {
        runs_from(summaries, language, 9, callee)
    }

    #[test]
    fn a_call_finds_its_function_by_the_end_of_its_path() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::Rust, entry("connect", 1, true));
        summaries.insert(Language::Rust, entry("Pool::open", 1, true));
        let find = |path: &str| summaries.lookup(Language::Rust, 0, &Callee::Path(path.into()));
        assert!(find("crate::db::connect").is_some());
        assert!(find("connect").is_some());
        assert!(find("Pool::open").is_some());
        assert!(find("db::Pool::open").is_some());
        assert!(find("open").is_none());
        assert!(find("reconnect").is_none());
        let method = summaries.lookup(Language::Rust, 0, &Callee::Method("open".into()));
        assert!(method.is_some());
    }

    #[test]
    fn a_path_through_a_module_does_not_mean_the_callers_own_function() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::Rust, entry("connect", 0, false));
        summaries.insert(Language::Rust, entry("connect", 1, true));
        summaries.insert(Language::Rust, entry("connect", 2, true));
        summaries.insert(Language::Rust, entry("Pool::open", 0, false));
        summaries.insert(Language::Rust, entry("Pool::open", 1, true));
        let find = |summaries: &Summaries, path: &str| {
            runs_from(summaries, Language::Rust, 0, &Callee::Path(path.into()))
        };
        assert_eq!(find(&summaries, "connect"), Some(false));
        assert_eq!(find(&summaries, "self::connect"), Some(false));
        assert_eq!(find(&summaries, "crate::connect"), Some(false));
        assert_eq!(find(&summaries, "Pool::open"), Some(false));
        // Two other files define `connect`: the module path names neither for sure.
        assert_eq!(find(&summaries, "crate::net::connect"), None);
        assert_eq!(find(&summaries, "super::connect"), None);
        summaries.remove(Language::Rust, 2, "connect");
        assert_eq!(find(&summaries, "crate::net::connect"), Some(true));
        assert_eq!(find(&summaries, "net::connect"), Some(true));
    }

    #[test]
    fn two_definitions_elsewhere_are_not_a_guess_but_one_here_wins() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::C, entry("start", 1, true));
        summaries.insert(Language::C, entry("start", 2, false));
        let call = Callee::Path("start".into());
        assert!(summaries.lookup(Language::C, 0, &call).is_none());
        assert_eq!(runs_from(&summaries, Language::C, 2, &call), Some(false));
    }

    #[test]
    fn what_memory_keeps_of_a_function_stays_small() {
        // The index is all a run keeps in memory for each function: a slot, and for its key
        // an entry that holds one slot inline.
        assert_eq!(std::mem::size_of::<Slot>(), 16);
        assert_eq!(std::mem::size_of::<Slots>(), 24);
    }

    #[test]
    fn a_replaced_or_removed_function_is_found_no_more_under_either_key() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::Rust, entry("Pool::open", 1, true));
        summaries.insert(Language::C, entry("serve", 3, false));
        summaries.insert(Language::C, entry("serve", 3, true));
        assert_eq!(summaries.len(), 2);
        let serve = Callee::Path("serve".into());
        assert_eq!(runs(&summaries, Language::C, &serve), Some(true));
        assert_eq!(runs(&summaries, Language::Rust, &serve), None, "another language's");
        let method = Callee::Method("open".into());
        assert_eq!(runs(&summaries, Language::Rust, &method), Some(true));
        summaries.remove(Language::Rust, 1, "Pool::open");
        assert_eq!(runs(&summaries, Language::Rust, &method), None);
        assert_eq!(runs(&summaries, Language::Rust, &Callee::Path("Pool::open".into())), None);
        assert!(summaries.keys.len() == 1 && summaries.len() == 1, "no empty key left");
    }

    #[test]
    fn a_slot_filed_under_another_keys_hash_finds_nothing() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::C, entry("connect", 1, true));
        summaries.insert(Language::C, entry("start", 2, true));
        // As if `reconnect` hashed like `connect`: the slots are there, the records are not
        // of the key.
        let hash = |key| key_hash(Language::C, Kind::Name, key);
        let connect = summaries.keys[&hash("connect")].as_slice()[0];
        summaries.keys.insert(hash("reconnect"), Slots::One(connect));
        assert_eq!(runs(&summaries, Language::C, &Callee::Path("reconnect".into())), None);
        // Shared with a key that has its own function: ambiguous, never the other's.
        let start = summaries.keys[&hash("start")].as_slice()[0];
        summaries.keys.get_mut(&hash("connect")).expect("filed").insert(start);
        assert_eq!(runs(&summaries, Language::C, &Callee::Path("connect".into())), None);
    }

    #[test]
    fn sealing_after_each_wave_keeps_every_lookup_as_it_was() {
        let names = [
            "connect",
            "start",
            "serve",
            "main",
            "Pool::open",
            "Conn::open",
            "net::Conn::open",
            "Conn::send",
            "a::Pool::open",
            "spawn",
        ];
        let file = tempfile::tempfile().expect("a temporary file");
        let mut sealed = Summaries::spilling(Spill::in_file(file), 40);
        let mut plain = Summaries::default();
        let mut random = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |below: usize| {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            (random % below as u64) as usize
        };
        let mut callees: Vec<Callee> = names.iter().map(|n| Callee::Path(n.to_string())).collect();
        callees.extend(names.iter().map(|n| Callee::Path(format!("crate::m::{n}"))));
        callees.extend(names.iter().map(|n| Callee::Method(last_segments(n, 1).to_string())));
        for wave in 0..30 {
            // A function of its own name each wave, as most are: sealed at once.
            for table in [&mut sealed, &mut plain] {
                table.insert(Language::Rust, entry(&format!("once{wave}"), wave % 12, true));
            }
            callees.push(Callee::Path(format!("once{wave}")));
            for _ in 0..next(6) {
                let (name, file, runs) = (names[next(names.len())], next(12), next(2) == 0);
                let remove = next(5) == 0;
                for table in [&mut sealed, &mut plain] {
                    match remove {
                        true => table.remove(Language::Rust, file, name),
                        false => table.insert(Language::Rust, entry(name, file, runs)),
                    }
                }
            }
            sealed.seal();
            for callee in &callees {
                for file in 0..12 {
                    let got = runs_from(&sealed, Language::Rust, file, callee);
                    let want = runs_from(&plain, Language::Rust, file, callee);
                    assert_eq!(got, want, "{callee:?} from file {file}");
                }
            }
            assert_eq!(sealed.len(), plain.len());
        }
        assert!(!sealed.sealed.is_empty(), "some keys were sealed");
        assert!(sealed.keys.len() < plain.keys.len(), "sealed keys left memory");
    }

    #[test]
    fn compacting_keeps_what_every_lookup_finds_and_drops_the_replaced_records() {
        let mut summaries = Summaries::default();
        let names: Vec<String> = (0..50).map(|i| format!("Conn{i}::open")).collect();
        for round in 0..2_000 {
            for (file, name) in names.iter().enumerate() {
                summaries.insert(Language::Rust, entry(name, file, (round + file) % 2 == 0));
            }
        }
        let before = summaries.spill.len();
        summaries.compact();
        assert!(summaries.spill.len() < before / 100, "{} of {before}", summaries.spill.len());
        assert_eq!(summaries.spill.len(), summaries.live);
        for (file, name) in names.iter().enumerate() {
            let callee = Callee::Path(name.clone());
            assert_eq!(runs(&summaries, Language::Rust, &callee), Some(file % 2 == 1), "{name}");
        }
        let method = Callee::Method("open".into());
        assert_eq!(runs(&summaries, Language::Rust, &method), None, "fifty types have one");
    }

    #[test]
    fn a_lookup_is_recorded_by_fingerprint_and_still_holds_until_the_summary_changes() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::C, entry("serve", 3, true));
        let view = SummaryView::new(&summaries, 0);
        let serve = Callee::Path("serve".into());
        let unknown = Callee::Path("printf".into());
        assert!(view.lookup(Language::C, &serve).is_some());
        assert!(view.lookup(Language::C, &unknown).is_none());
        let seen = view.into_seen();
        assert!(summaries.still_finds(Language::C, 0, &seen));
        summaries.insert(Language::C, entry("serve", 3, true));
        assert!(summaries.still_finds(Language::C, 0, &seen), "the same summary again");
        summaries.insert(Language::C, entry("serve", 3, false));
        assert!(!summaries.still_finds(Language::C, 0, &seen));
        summaries.insert(Language::C, entry("serve", 3, true));
        summaries.insert(Language::C, entry("printf", 4, true));
        assert!(!summaries.still_finds(Language::C, 0, &seen), "a name defined now");
    }
}
