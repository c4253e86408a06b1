//! Per-function summaries: what calling a function does to the caller's connections, so a
//! fork in one function sees a connection opened, stored or closed in another.
//!
//! Summaries are plain data (serialisable) computed by the same engine that reports, run with
//! symbolic values for the parameters and the globals. They are looked up by name across every
//! file of the run; a name that is not defined in the run, or defined more than once where the
//! caller cannot tell which, is "cannot see into", never a guess.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::Located;
use crate::ir::{Callee, Language, Span};

/// Where a caller's value comes from, seen from inside the callee.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Root {
    /// The function's parameter by position (`self` is 0).
    Param(usize),
    /// A global or static by name.
    Global(String),
}

/// A set of roots, as a sorted slice: a summary's sets hold a root or two, where a
/// `BTreeSet` takes a node with room for eleven (280 bytes) for the first, and the run keeps
/// every distinct summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Vec<Root>", into = "Vec<Root>")]
pub struct RootSet(Box<[Root]>);

impl RootSet {
    pub fn contains(&self, root: &Root) -> bool {
        self.0.binary_search(root).is_ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Root> {
        self.0.iter()
    }

    pub fn retain(&mut self, keep: impl FnMut(&Root) -> bool) {
        let mut roots = std::mem::take(&mut self.0).into_vec();
        roots.retain(keep);
        self.0 = roots.into_boxed_slice();
    }
}

impl From<Vec<Root>> for RootSet {
    fn from(mut roots: Vec<Root>) -> Self {
        roots.sort_unstable();
        roots.dedup();
        RootSet(roots.into_boxed_slice())
    }
}

impl From<RootSet> for Vec<Root> {
    fn from(set: RootSet) -> Self {
        set.0.into_vec()
    }
}

impl FromIterator<Root> for RootSet {
    fn from_iter<I: IntoIterator<Item = Root>>(roots: I) -> Self {
        RootSet::from(roots.into_iter().collect::<Vec<_>>())
    }
}

impl Extend<Root> for RootSet {
    fn extend<I: IntoIterator<Item = Root>>(&mut self, roots: I) {
        let mut all = std::mem::take(&mut self.0).into_vec();
        all.extend(roots);
        *self = RootSet::from(all);
    }
}

impl IntoIterator for RootSet {
    type Item = Root;
    type IntoIter = std::vec::IntoIter<Root>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a RootSet {
    type Item = &'a Root;
    type IntoIter = std::slice::Iter<'a, Root>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A place a summary stores into: a root and a field path (`.zk`, `[]`), maybe empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StoreTarget {
    pub root: Root,
    pub path: String,
}

/// A connection a function opens and hands out (returns or stores).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OpenOrigin {
    pub what: String,
    /// The call that opened it (`zookeeper_init`).
    pub opener: String,
    /// The function the open happened in (`init_registry`).
    pub function: String,
    /// The file the open is in, and where in it.
    pub file: usize,
    pub span: Span,
    pub background_thread: bool,
    pub cloexec: bool,
    /// A listening socket by the time the function hands it out (`listen()` inside).
    pub listening: bool,
}

/// What one side of a fork made inside the function does before it leaves the function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SideSummary {
    /// The side returns to the caller.
    pub returns: bool,
    /// It went on running (a loop, a blocking or unknown call) before it ended or returned.
    pub ran: bool,
    /// It closed every descriptor (`closefrom`, a close loop).
    pub closes_all: bool,
    /// What it closed or dropped of the caller's values: since the fork on some path, or on
    /// every path (before the fork included). A close on some path before the fork is not
    /// the side's: the path that forked may have skipped it.
    pub closes: RootSet,
    /// What it used of the caller's values since the fork.
    pub uses: RootSet,
}

/// A function that forks: which side comes back to the caller (`spawn_worker` returns the pid
/// to the parent and never returns in the child).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ForkSummary {
    pub parent: SideSummary,
    pub child: SideSummary,
    /// The fork itself, through any helpers it is nested in.
    pub at: Located,
}

/// What calling a function does, as far as the analysis is concerned. The run keeps one for
/// each distinct summary; the parts few functions have (an open it returns, a fork) are boxed
/// so that the others take less than half the room.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Summary {
    /// Returns a connection it opened.
    pub returns_open: Option<Box<OpenOrigin>>,
    /// Stores a connection it opened into a global or a field of an argument.
    pub stores_open: Vec<(StoreTarget, OpenOrigin)>,
    /// Stores what one argument or global holds into a field of another (`session->fd = fd`).
    pub stores_value: Vec<(StoreTarget, Root)>,
    /// Closes or drops what these roots hold (on some path). For a function that forks, what
    /// each side does is in `fork` instead.
    pub closes: RootSet,
    /// Shuts down what these roots hold (on some path).
    pub shuts_down: RootSet,
    /// Of `closes` and `shuts_down`, what it closes or shuts down on every path by which it
    /// returns: a caller counts the rest as closed, but not as closed on every path.
    pub releases_on_every_path: RootSet,
    /// Uses what these roots hold.
    pub uses: RootSet,
    /// Closes every descriptor of the process.
    pub closes_all: bool,
    /// Never returns: every path exits, execs or loops forever.
    pub never_returns: bool,
    /// May take long or go on running (a loop, a blocking or unknown call): not quick.
    pub runs: bool,
    /// Starts a thread that may still run when it returns.
    pub starts_thread: bool,
    /// Forks, and which side returns.
    pub fork: Option<Box<ForkSummary>>,
}

impl Summary {
    /// The summary with no spare room in its vectors, to be kept for the run.
    fn compacted(mut self) -> Self {
        self.stores_open.shrink_to_fit();
        self.stores_value.shrink_to_fit();
        self
    }
}

/// A function of the run: its name as calls spell it, where it is, and its summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryEntry {
    pub name: String,
    pub file: usize,
    pub summary: Summary,
}

/// The functions under one name key, sorted by file and then full name: a call's own file is
/// a binary search away, however many files define the same name. (A sorted vector, not a
/// `BTreeMap`, whose every node holds room for eleven summaries: most keys have one.) Names
/// are boxed: the run has an entry for every function, a method two.
#[derive(Debug, Default, Clone)]
struct ByFile(Vec<(Place, Arc<Summary>)>);

/// A function's file and full name.
type Place = (usize, Box<str>);

impl ByFile {
    fn position(&self, file: usize, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(known, _)| (known.0, &*known.1).cmp(&(file, name)))
    }

    /// Returns the summary it replaces.
    fn insert(&mut self, place: Place, summary: Arc<Summary>) -> Option<Arc<Summary>> {
        match self.position(place.0, &place.1) {
            Ok(index) => Some(std::mem::replace(&mut self.0[index].1, summary)),
            Err(index) => {
                self.make_room();
                self.0.insert(index, (place, summary));
                None
            }
        }
    }

    /// Room for one more function: exactly one while the key has few (most keys have one, and
    /// a vector's first growth makes room for four), doubling past them.
    fn make_room(&mut self) {
        const FEW: usize = 4;
        if self.0.len() < FEW {
            self.0.reserve_exact(1);
        }
    }

    fn remove(&mut self, file: usize, name: &str) -> Option<Arc<Summary>> {
        let index = self.position(file, name).ok()?;
        Some(self.0.remove(index).1)
    }

    fn get(&self, file: usize, name: &str) -> Option<&Summary> {
        self.position(file, name).ok().map(|index| &*self.0[index].1)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn iter(&self) -> impl Iterator<Item = Candidate<'_>> {
        self.0.iter().map(|(place, summary)| (place, summary))
    }

    fn in_file(&self, file: usize) -> impl Iterator<Item = Candidate<'_>> {
        let start = self.0.partition_point(|((known, _), _)| *known < file);
        let end = self.0.partition_point(|((known, _), _)| *known <= file);
        self.0[start..end].iter().map(|(place, summary)| (place, summary))
    }
}

/// Every summary of the run, found by the name a call uses.
#[derive(Debug, Default, Clone)]
pub struct Summaries {
    /// By the last two segments of the name (`Pool::open`, `connect`).
    by_name: ByLanguage,
    /// `Type::method` functions by the method's name alone, for `value.method()` calls.
    by_method: ByLanguage,
    /// Each distinct summary once, with how many functions have it: a run's functions have
    /// a few distinct summaries for every four functions, and a summary with its sets takes a
    /// kilobyte or so. Counted here rather than by the `Arc`, which lookups hold too.
    distinct: HashMap<Arc<Summary>, usize, foldhash::fast::RandomState>,
}

/// Name keys per language, so a lookup by `&str` builds no key (the analysis looks up at
/// every call); hashed with foldhash, a fraction of SipHash's cost on short names.
#[derive(Debug, Default, Clone)]
struct ByLanguage {
    c: Names,
    rust: Names,
}

/// Keyed by boxed names: a table's slot is the key's and the functions' pointers and
/// lengths, and the run has one for every name.
type Names = HashMap<Box<str>, ByFile, foldhash::fast::RandomState>;

impl ByLanguage {
    fn of(&self, language: Language) -> &Names {
        match language {
            Language::C => &self.c,
            Language::Rust => &self.rust,
        }
    }

    fn of_mut(&mut self, language: Language) -> &mut Names {
        match language {
            Language::C => &mut self.c,
            Language::Rust => &mut self.rust,
        }
    }

    fn get(&self, language: Language, name: &str) -> Option<&ByFile> {
        self.of(language).get(name)
    }

    fn entry(&mut self, language: Language, name: &str) -> &mut ByFile {
        let names = self.of_mut(language);
        if !names.contains_key(name) {
            names.insert(name.into(), ByFile::default());
        }
        names.get_mut(name).expect("inserted above")
    }
}

impl Summaries {
    pub fn insert(&mut self, language: Language, entry: SummaryEntry) {
        let summary = self.interned(entry.summary);
        self.place(language, entry.file, entry.name, summary);
    }

    /// As `insert`, for a summary a batch already shares (`BatchSummaries`).
    pub fn insert_shared(
        &mut self,
        language: Language,
        file: usize,
        name: String,
        summary: Arc<Summary>,
    ) {
        let summary = self.interned_shared(summary);
        self.place(language, file, name, summary);
    }

    /// Files the function `name` of `file` under its keys, with its interned summary.
    fn place(&mut self, language: Language, file: usize, name: String, summary: Arc<Summary>) {
        let name = name.into_boxed_str();
        if name.contains("::") {
            let method = last_segments(&name, 1);
            let entries = self.by_method.entry(language, method);
            entries.insert((file, name.clone()), Arc::clone(&summary));
        }
        let entries = self.by_name.entry(language, last_segments(&name, 2));
        let replaced = entries.insert((file, name), summary);
        self.release(replaced);
    }

    /// Forgets the function `name` defined in `file` (it was deleted or renamed).
    pub fn remove(&mut self, language: Language, file: usize, name: &str) {
        if name.contains("::") {
            let method = last_segments(name, 1);
            if let Some(entries) = self.by_method.of_mut(language).get_mut(method) {
                entries.remove(file, name);
            }
        }
        let key = last_segments(name, 2);
        let removed = self.by_name.of_mut(language).get_mut(key).and_then(|e| e.remove(file, name));
        self.release(removed);
    }

    /// The one shared copy of `summary`, for one more function.
    fn interned(&mut self, summary: Summary) -> Arc<Summary> {
        let shared = match self.distinct.get_key_value(&summary) {
            Some((known, _)) => Arc::clone(known),
            None => Arc::new(summary.compacted()),
        };
        self.interned_shared(shared)
    }

    /// As `interned`, for a summary already behind an `Arc`: the run's copy if it has one.
    fn interned_shared(&mut self, summary: Arc<Summary>) -> Arc<Summary> {
        // One hash of the summary, not two: an occupied entry's key is the run's copy.
        let entry = self.distinct.entry(summary);
        let shared = Arc::clone(entry.key());
        *entry.or_default() += 1;
        shared
    }

    /// One function fewer has `summary` (replaced or removed); forgotten with the last.
    fn release(&mut self, summary: Option<Arc<Summary>>) {
        let Some(summary) = summary else { return };
        if let Some(functions) = self.distinct.get_mut(&summary) {
            *functions -= 1;
            if *functions == 0 {
                self.distinct.remove(&summary);
            }
        }
    }

    /// The summary of the function `name` defined in `file`.
    pub fn get(&self, language: Language, file: usize, name: &str) -> Option<&Summary> {
        self.by_name.get(language, last_segments(name, 2))?.get(file, name)
    }

    pub fn len(&self) -> usize {
        let names = [&self.by_name.c, &self.by_name.rust];
        names.into_iter().flat_map(|names| names.values()).map(ByFile::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The summary a call in `file` finds: the one function it names (one in the same file
    /// wins over others elsewhere), or nothing when the name is unknown or ambiguous.
    pub fn lookup(&self, language: Language, file: usize, callee: &Callee) -> Option<&Summary> {
        let candidates = self.candidates_of(language, callee);
        let found = match callee {
            Callee::Method(_) => the_one(candidates.matching()),
            _ if !prefers_own_file(callee) => {
                the_one(candidates.matching().filter(|((known, _), _)| *known != file))
            }
            _ => match at_most_two(candidates.in_file(file)) {
                Count::One(only) => Some(only),
                Count::Two => None,
                Count::None => the_one(candidates.matching()),
            },
        };
        found.map(|(_, summary)| &**summary)
    }

    /// Every function a callee may name, before ambiguity is ruled out.
    fn candidates_of<'p>(&self, language: Language, callee: &'p Callee) -> Candidates<'_, 'p> {
        match callee {
            Callee::Path(path) => self.candidates(language, path),
            Callee::Method(name) => {
                Candidates { entries: self.by_method.get(language, name), path: None }
            }
            Callee::Unknown => Candidates { entries: None, path: None },
        }
    }

    /// A path's candidates: the functions whose name ends it, by its last two segments, else
    /// (`crate::db::connect` when no `db::connect` is known) every function of its last name.
    fn candidates<'p>(&self, language: Language, path: &'p str) -> Candidates<'_, 'p> {
        let path = path.strip_prefix("crate::").unwrap_or(path);
        let tail = last_segments(path, 2);
        match self.by_name.get(language, tail) {
            Some(entries) => Candidates { entries: Some(entries), path: Some(path) },
            None => {
                let name = last_segments(path, 1);
                Candidates { entries: self.by_name.get(language, name), path: None }
            }
        }
    }
}

/// The summaries a batch of files analysed in parallel hands the run, each distinct one
/// shared: the run's copy when it has one, else the batch's first. A batch holds its files'
/// summaries until it ends (its files see only the summaries known before it), and a full
/// copy for each function took more memory than the run keeps.
pub struct BatchSummaries<'a> {
    run: &'a Summaries,
    new: Mutex<HashSet<Arc<Summary>, foldhash::fast::RandomState>>,
}

impl<'a> BatchSummaries<'a> {
    pub fn new(run: &'a Summaries) -> Self {
        BatchSummaries { run, new: Mutex::default() }
    }

    pub fn share(&self, summary: Summary) -> Arc<Summary> {
        if let Some((known, _)) = self.run.distinct.get_key_value(&summary) {
            return Arc::clone(known);
        }
        let mut new = self.new.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = new.get(&summary) {
            return Arc::clone(known);
        }
        let shared = Arc::new(summary.compacted());
        new.insert(Arc::clone(&shared));
        shared
    }
}

/// The functions a call may mean; `path`, when set, must end with their name.
struct Candidates<'a, 'p> {
    entries: Option<&'a ByFile>,
    path: Option<&'p str>,
}

type Candidate<'a> = (&'a Place, &'a Arc<Summary>);

impl<'a> Candidates<'a, '_> {
    fn matching(&self) -> impl Iterator<Item = Candidate<'a>> + '_ {
        self.entries.into_iter().flat_map(ByFile::iter).filter(|((_, name), _)| self.fits(name))
    }

    fn in_file(&self, file: usize) -> impl Iterator<Item = Candidate<'a>> + '_ {
        let entries = self.entries.into_iter().flat_map(move |entries| entries.in_file(file));
        entries.filter(|((_, name), _)| self.fits(name))
    }

    fn fits(&self, name: &str) -> bool {
        self.path.is_none_or(|path| path_matches(path, name))
    }
}

enum Count<T> {
    None,
    One(T),
    Two,
}

/// How many items there are, counting no further than two.
fn at_most_two<T>(mut items: impl Iterator<Item = T>) -> Count<T> {
    match (items.next(), items.next()) {
        (None, _) => Count::None,
        (Some(only), None) => Count::One(only),
        (Some(_), Some(_)) => Count::Two,
    }
}

fn the_one<T>(items: impl Iterator<Item = T>) -> Option<T> {
    match at_most_two(items) {
        Count::One(only) => Some(only),
        _ => None,
    }
}

/// The summaries one file's analysis sees: the run's, with the file's own functions replaced
/// as this analysis summarises them (callees first), so a call to a function of the same file
/// finds what that function does now rather than in the previous round. Every lookup is
/// recorded: the run re-analyses the file only if a lookup would now find something else.
pub struct SummaryView<'a> {
    run: &'a Summaries,
    file: usize,
    own: Summaries,
    /// What each callee was found to be, every distinct answer once.
    seen: RefCell<HashMap<Callee, Vec<Found>, foldhash::fast::RandomState>>,
    /// When kept per function (the language server keeps a function's analysis while what it
    /// looks up stays the same): what the function being analysed found. Within one function
    /// a callee always finds the same: the view changes only between functions.
    function_seen: Option<RefCell<HashMap<Callee, Found>>>,
}

/// What a lookup found: the run's own copy of the summary, shared.
pub type Found = Option<Arc<Summary>>;

/// A lookup an analysis made, and what it found.
pub type Seen = (Callee, Found);

impl<'a> SummaryView<'a> {
    pub fn new(run: &'a Summaries, file: usize) -> Self {
        SummaryView {
            run,
            file,
            own: Summaries::default(),
            seen: RefCell::default(),
            function_seen: None,
        }
    }

    /// A view that also keeps each function's lookups apart (`take_function_seen`).
    pub fn per_function(run: &'a Summaries, file: usize) -> Self {
        SummaryView { function_seen: Some(RefCell::default()), ..SummaryView::new(run, file) }
    }

    /// A function of this file has been summarised: later lookups find the new summary.
    pub fn add_own(&mut self, language: Language, entry: SummaryEntry) {
        self.own.insert(language, entry);
    }

    /// As `Summaries::lookup` from this file, the file's own functions as summarised so far;
    /// recorded.
    pub fn lookup(&self, language: Language, callee: &Callee) -> Found {
        let found = self.find(language, callee).cloned();
        if let Some(function_seen) = &self.function_seen {
            let mut function_seen = function_seen.borrow_mut();
            if !function_seen.contains_key(callee) {
                function_seen.insert(callee.clone(), found.clone());
            }
        }
        self.record(callee, &found);
        found
    }

    /// What `lookup` would find now, not recorded.
    pub fn find(&self, language: Language, callee: &Callee) -> Option<&Arc<Summary>> {
        let fresh = self.own.candidates_of(language, callee);
        let run = self.run.candidates_of(language, callee);
        // The run's entry for a function of this file is stale once this analysis has its own.
        let current = |(place, _): &Candidate<'_>| {
            place.0 != self.file || !fresh.matching().any(|(own, _)| own.1 == place.1)
        };
        let found = match callee {
            Callee::Method(_) => the_one(fresh.matching().chain(run.matching().filter(current))),
            _ if !prefers_own_file(callee) => {
                the_one(run.matching().filter(|(place, _)| place.0 != self.file))
            }
            _ => {
                match at_most_two(fresh.matching().chain(run.in_file(self.file).filter(current))) {
                    Count::One(only) => Some(only),
                    Count::Two => None,
                    Count::None => the_one(run.matching()),
                }
            }
        };
        found.map(|(_, summary)| summary)
    }

    /// Records for the file a lookup whose answer is known (a function's analysis kept, whose
    /// lookups were checked to find the same).
    pub fn record(&self, callee: &Callee, found: &Found) {
        let mut seen = self.seen.borrow_mut();
        match seen.get_mut(callee) {
            Some(answers) if answers.contains(found) => {}
            Some(answers) => answers.push(found.clone()),
            None => {
                seen.insert(callee.clone(), vec![found.clone()]);
            }
        }
    }

    /// The lookups of the function analysed since the last call (empty unless the view keeps
    /// them per function).
    pub fn take_function_seen(&self) -> Vec<Seen> {
        let Some(function_seen) = &self.function_seen else { return Vec::new() };
        function_seen.borrow_mut().drain().collect()
    }

    /// What the analysis looked up, for `Summaries::still_finds`.
    pub fn into_seen(self) -> Vec<Seen> {
        // In no particular order: the run only asks whether every one still holds. Sized
        // exactly: the run keeps every file's until it ends.
        let seen = self.seen.into_inner();
        let mut all = Vec::with_capacity(seen.values().map(Vec::len).sum());
        for (callee, answers) in seen {
            all.extend(answers.into_iter().map(|answer| (callee.clone(), answer)));
        }
        all
    }
}

impl Summaries {
    /// Whether every lookup a file's analysis made finds the same summary now.
    pub fn still_finds(&self, language: Language, file: usize, seen: &[Seen]) -> bool {
        seen.iter().all(|(callee, found)| self.lookup(language, file, callee) == found.as_deref())
    }
}

/// Whether a call path means a function of its own file before any other of the same name: a
/// plain name (`connect`; every C call), `self::connect`, or a type's function
/// (`Pool::open`). A path through a module (`crate::net::connect`, `net::connect`,
/// `super::connect`) means that module's function, in another file: the caller's own
/// `connect` is another function (often the wrapper making the call).
fn prefers_own_file(callee: &Callee) -> bool {
    let Callee::Path(path) = callee else { return true };
    let path = path.strip_prefix("crate::").unwrap_or(path);
    match path.rsplit("::").nth(1) {
        None | Some("self") => true,
        Some(qualifier) => qualifier.starts_with(char::is_uppercase),
    }
}

/// A call path (`db::connect`, `Pool::open`, `connect`) names a function (`connect`,
/// `Pool::open`) when the function's name is a suffix of it, segment by segment; a module path
/// before it cannot be checked without a build and is not held against it.
fn path_matches(path: &str, name: &str) -> bool {
    path == name || path.strip_suffix(name).is_some_and(|before| before.ends_with("::"))
}

/// The last `n` `::`-separated segments of a path.
pub(super) fn last_segments(path: &str, n: usize) -> &str {
    let mut cut = path.len();
    for _ in 0..n {
        match separator_before(path, cut) {
            Some(index) => cut = index,
            None => return path,
        }
    }
    &path[cut + 2..]
}

/// Where the last `::` before byte `end` of `path` starts. A byte scan: `rfind` with a
/// two-character pattern builds a searcher on every call, and lookups split every callee.
fn separator_before(path: &str, end: usize) -> Option<usize> {
    path.as_bytes()[..end].windows(2).rposition(|pair| pair == b"::")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, file: usize, runs: bool) -> SummaryEntry {
        SummaryEntry { name: name.into(), file, summary: Summary { runs, ..Summary::default() } }
    }

    #[test]
    fn equal_summaries_are_kept_once_until_no_function_has_them() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::Rust, entry("Pool::open", 1, true));
        summaries.insert(Language::Rust, entry("connect", 2, true));
        summaries.insert(Language::C, entry("serve", 3, false));
        assert_eq!(summaries.distinct.len(), 2);
        // Replaced by a summary another function has: the old one goes.
        summaries.insert(Language::C, entry("serve", 3, true));
        assert_eq!(summaries.distinct.len(), 1);
        summaries.remove(Language::Rust, 1, "Pool::open");
        assert_eq!(summaries.distinct.len(), 1);
        // A lookup may still hold the summary (a file's recorded lookups): it goes all the same.
        let held =
            SummaryView::new(&summaries, 9).lookup(Language::C, &Callee::Path("serve".into()));
        assert!(held.is_some());
        summaries.remove(Language::Rust, 2, "connect");
        summaries.remove(Language::C, 3, "serve");
        assert!(summaries.distinct.is_empty() && summaries.is_empty());
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
            let found = summaries.lookup(Language::Rust, 0, &Callee::Path(path.into()));
            found.map(|summary| summary.runs)
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
        assert_eq!(summaries.lookup(Language::C, 2, &call).map(|s| s.runs), Some(false));
    }
}
