//! Per-function summaries: what calling a function does to the caller's connections, so a
//! fork in one function sees a connection opened, stored or closed in another.
//!
//! Summaries are plain data (serialisable) computed by the same engine that reports, run with
//! symbolic values for the parameters and the globals. They are looked up by name across every
//! file of the run; a name that is not defined in the run, or defined more than once where the
//! caller cannot tell which, is "cannot see into", never a guess.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::spill::{Encoded, Fingerprint};
pub use super::summary_table::Summaries;
use super::summary_table::{
    at_most_two, prefers_own_file, the_one, Candidates, Count, Record, Slot,
};
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
/// `BTreeSet` takes a node with room for eleven (280 bytes) for the first, and every call that
/// finds a summary decodes one.
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

/// What calling a function does, as far as the analysis is concerned. The run keeps it
/// encoded (`spill.rs`) and decodes it for a call that finds it; the parts few functions have
/// (an open it returns, a fork) are boxed so that the others take less than half the room.
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

/// A function of the run: its name as calls spell it, where it is, and its summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryEntry {
    pub name: String,
    pub file: usize,
    pub summary: Summary,
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
    seen: RefCell<HashMap<Callee, Vec<Option<Fingerprint>>, foldhash::fast::RandomState>>,
    /// What each callee finds until the next function of this file is added (within one
    /// function a callee always finds the same: the view changes only between functions).
    /// The analysis looks a call up at every visit, and an answer in the run's spill is read
    /// and decoded once. They are also the function's lookups, when kept per function.
    answers: RefCell<HashMap<Callee, Answer, foldhash::fast::RandomState>>,
    /// Whether each function's lookups are kept (the language server keeps a function's
    /// analysis while what it looks up stays the same): `take_function_seen`.
    per_function: bool,
}

/// What a lookup found: the summary, decoded for the caller.
pub type Found = Option<Arc<Summary>>;

/// A lookup an analysis made, and the fingerprint of what it found: all a later check needs,
/// and it keeps no summary in memory.
pub type Seen = (Callee, Option<Fingerprint>);

/// A lookup a function's analysis made, and what it found: kept with the function's outcome,
/// whose summaries move with an edit of their file (`moving.rs`).
pub type FunctionSeen = (Callee, Found);

/// A lookup's answer: the summary's fingerprint, and the summary.
type Answer = (Option<Fingerprint>, Found);

impl<'a> SummaryView<'a> {
    pub fn new(run: &'a Summaries, file: usize) -> Self {
        SummaryView {
            run,
            file,
            own: Summaries::default(),
            seen: RefCell::default(),
            answers: RefCell::default(),
            per_function: false,
        }
    }

    /// A view that also keeps each function's lookups apart (`take_function_seen`).
    pub fn per_function(run: &'a Summaries, file: usize) -> Self {
        SummaryView { per_function: true, ..SummaryView::new(run, file) }
    }

    /// A function of this file has been summarised: later lookups find the new summary.
    pub fn add_own(&mut self, language: Language, entry: SummaryEntry) {
        self.own.insert(language, entry);
        self.answers.get_mut().clear();
    }

    /// As `Summaries::lookup` from this file, the file's own functions as summarised so far;
    /// recorded.
    pub fn lookup(&self, language: Language, callee: &Callee) -> Found {
        let (fingerprint, found) = self.answer(language, callee);
        self.record_fingerprint(callee, fingerprint);
        found
    }

    fn answer(&self, language: Language, callee: &Callee) -> Answer {
        if let Some(known) = self.answers.borrow().get(callee) {
            return known.clone();
        }
        let record = self.find(language, callee);
        let answer = (
            record.as_ref().and_then(Record::fingerprint),
            record.as_ref().and_then(Record::summary),
        );
        self.answers.borrow_mut().insert(callee.clone(), answer.clone());
        answer
    }

    /// What `lookup` would find now, not recorded.
    pub fn find_summary(&self, language: Language, callee: &Callee) -> Found {
        self.find(language, callee)?.summary()
    }

    fn find(&self, language: Language, callee: &Callee) -> Option<Record> {
        let fresh = self.own.candidates_of(language, callee);
        let run = self.run.candidates_of(language, callee);
        // Each slot is tagged with its table: fresh (this analysis') or the run's.
        let fresh_all = || fresh.iter().flat_map(Candidates::matching).map(|slot| (true, slot));
        let run_all = || run.iter().flat_map(Candidates::matching).map(|slot| (false, slot));
        let run_here = || run.iter().flat_map(|c| c.in_file(self.file)).map(|slot| (false, slot));
        // The run's entry for a function of this file is stale once this analysis has its own.
        let name_of = |(is_fresh, slot): (bool, Slot)| {
            let candidates = if is_fresh { fresh.as_ref() } else { run.as_ref() };
            candidates.and_then(|candidates| candidates.name_of(slot))
        };
        let current = |&(_, slot): &(bool, Slot)| {
            if slot.file() != self.file {
                return true;
            }
            let name = name_of((false, slot));
            !fresh_all().any(|own| name_of(own) == name)
        };
        let found = match callee {
            Callee::Method(_) => the_one(fresh_all().chain(run_all().filter(current))),
            _ if !prefers_own_file(callee) => {
                the_one(run_all().filter(|(_, slot)| slot.file() != self.file))
            }
            _ => match at_most_two(fresh_all().chain(run_here().filter(current))) {
                Count::One(only) => Some(only),
                Count::Two => None,
                Count::None => the_one(run_all()),
            },
        };
        let (is_fresh, slot) = found?;
        let candidates = if is_fresh { fresh.as_ref() } else { run.as_ref() };
        candidates?.record(slot)
    }

    /// Records for the file a lookup whose answer is known (a function's analysis kept, whose
    /// lookups were checked to find the same).
    pub fn record(&self, callee: &Callee, found: &Found) {
        let fingerprint = found.as_deref().map(|summary| Encoded::of(summary).fingerprint);
        self.record_fingerprint(callee, fingerprint);
    }

    fn record_fingerprint(&self, callee: &Callee, found: Option<Fingerprint>) {
        let mut seen = self.seen.borrow_mut();
        match seen.get_mut(callee) {
            Some(answers) if answers.contains(&found) => {}
            Some(answers) => answers.push(found),
            None => {
                seen.insert(callee.clone(), vec![found]);
            }
        }
    }

    /// The lookups of the function just analysed (empty unless the view keeps them per
    /// function); call before the function is added (`add_own`).
    pub fn take_function_seen(&self) -> Vec<FunctionSeen> {
        if !self.per_function {
            return Vec::new();
        }
        let answers = std::mem::take(&mut *self.answers.borrow_mut());
        answers.into_iter().map(|(callee, (_, found))| (callee, found)).collect()
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

/// A call path (`db::connect`, `Pool::open`, `connect`) names a function (`connect`,
/// `Pool::open`) when the function's name is a suffix of it, segment by segment; a module path
/// before it cannot be checked without a build and is not held against it.
pub(super) fn path_matches(path: &str, name: &str) -> bool {
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
