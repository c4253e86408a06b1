//! Per-function summaries: what calling a function does to the caller's connections, so a
//! fork in one function sees a connection opened, stored or closed in another.
//!
//! Summaries are plain data (serialisable) computed by the same engine that reports, run with
//! symbolic values for the parameters and the globals. They are looked up by name across every
//! file of the run; a name that is not defined in the run, or defined more than once where the
//! caller cannot tell which, is "cannot see into", never a guess.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

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

/// A place a summary stores into: a root and a field path (`.zk`, `[]`), maybe empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StoreTarget {
    pub root: Root,
    pub path: String,
}

/// A connection a function opens and hands out (returns or stores).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SideSummary {
    /// The side returns to the caller.
    pub returns: bool,
    /// It went on running (a loop, a blocking or unknown call) before it ended or returned.
    pub ran: bool,
    /// It closed every descriptor (`closefrom`, a close loop).
    pub closes_all: bool,
    /// What it closed or dropped, and what it used, of the caller's values.
    pub closes: BTreeSet<Root>,
    pub uses: BTreeSet<Root>,
}

/// A function that forks: which side comes back to the caller (`spawn_worker` returns the pid
/// to the parent and never returns in the child).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkSummary {
    pub parent: SideSummary,
    pub child: SideSummary,
    /// The fork itself, through any helpers it is nested in.
    pub at: Located,
}

/// What calling a function does, as far as the analysis is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Returns a connection it opened.
    pub returns_open: Option<OpenOrigin>,
    /// Stores a connection it opened into a global or a field of an argument.
    pub stores_open: Vec<(StoreTarget, OpenOrigin)>,
    /// Stores what one argument or global holds into a field of another (`session->fd = fd`).
    pub stores_value: Vec<(StoreTarget, Root)>,
    /// Closes or drops what these roots hold (on some path). For a function that forks, what
    /// each side does is in `fork` instead.
    pub closes: BTreeSet<Root>,
    /// Shuts down what these roots hold.
    pub shuts_down: BTreeSet<Root>,
    /// Uses what these roots hold.
    pub uses: BTreeSet<Root>,
    /// Closes every descriptor of the process.
    pub closes_all: bool,
    /// Never returns: every path exits, execs or loops forever.
    pub never_returns: bool,
    /// May take long or go on running (a loop, a blocking or unknown call): not quick.
    pub runs: bool,
    /// Starts a thread that may still run when it returns.
    pub starts_thread: bool,
    /// Forks, and which side returns.
    pub fork: Option<ForkSummary>,
}

/// A function of the run: its name as calls spell it, where it is, and its summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryEntry {
    pub name: String,
    pub file: usize,
    pub summary: Summary,
}

/// Every summary of the run, found by the name a call uses.
#[derive(Debug, Default, Clone)]
pub struct Summaries {
    by_name: HashMap<(Language, String), Vec<SummaryEntry>>,
    /// `Type::method` functions by the method's name alone, for `value.method()` calls.
    by_method: HashMap<(Language, String), Vec<SummaryEntry>>,
}

impl Summaries {
    pub fn insert(&mut self, language: Language, entry: SummaryEntry) {
        if entry.name.contains("::") {
            let method = last_segments(&entry.name, 1).to_string();
            replace_in(self.by_method.entry((language, method)).or_default(), entry.clone());
        }
        let key = (language, last_segments(&entry.name, 2).to_string());
        replace_in(self.by_name.entry(key).or_default(), entry);
    }

    /// Forgets the function `name` defined in `file` (it was deleted or renamed).
    pub fn remove(&mut self, language: Language, file: usize, name: &str) {
        let is_it = |e: &SummaryEntry| e.file == file && e.name == name;
        if name.contains("::") {
            let method = (language, last_segments(name, 1).to_string());
            if let Some(entries) = self.by_method.get_mut(&method) {
                entries.retain(|e| !is_it(e));
            }
        }
        let key = (language, last_segments(name, 2).to_string());
        if let Some(entries) = self.by_name.get_mut(&key) {
            entries.retain(|e| !is_it(e));
        }
    }

    /// The summary of the function `name` defined in `file`.
    pub fn get(&self, language: Language, file: usize, name: &str) -> Option<&Summary> {
        let key = (language, last_segments(name, 2).to_string());
        let entries = self.by_name.get(&key)?;
        entries.iter().find(|e| e.file == file && e.name == name).map(|e| &e.summary)
    }

    pub fn len(&self) -> usize {
        self.by_name.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The summary a call in `file` finds: the one function it names (one in the same file
    /// wins over others elsewhere), or nothing when the name is unknown or ambiguous.
    pub fn lookup(&self, language: Language, file: usize, callee: &Callee) -> Option<&Summary> {
        pick(file, callee, self.candidates_of(language, callee))
    }

    /// Every function a callee may name, before ambiguity is ruled out.
    fn candidates_of(&self, language: Language, callee: &Callee) -> Vec<&SummaryEntry> {
        match callee {
            Callee::Path(path) => self.candidates(language, path),
            Callee::Method(name) => self.candidates_by_method(language, name),
            Callee::Unknown => Vec::new(),
        }
    }

    fn candidates(&self, language: Language, path: &str) -> Vec<&SummaryEntry> {
        let path = path.strip_prefix("crate::").unwrap_or(path);
        let tail = last_segments(path, 2);
        let Some(entries) = self.by_name.get(&(language, tail.to_string())) else {
            return self.single_segment(language, path);
        };
        entries.iter().filter(|entry| path_matches(path, &entry.name)).collect()
    }

    fn single_segment(&self, language: Language, path: &str) -> Vec<&SummaryEntry> {
        let name = last_segments(path, 1);
        self.by_name
            .get(&(language, name.to_string()))
            .map(|entries| entries.iter().collect())
            .unwrap_or_default()
    }

    fn candidates_by_method(&self, language: Language, method: &str) -> Vec<&SummaryEntry> {
        self.by_method
            .get(&(language, method.to_string()))
            .map(|entries| entries.iter().collect())
            .unwrap_or_default()
    }
}

/// The one candidate a call may mean. A method counts only when one `Type::method` of that
/// name is defined in the run; a path prefers the one function of the caller's file.
fn pick<'a>(
    file: usize,
    callee: &Callee,
    candidates: Vec<&'a SummaryEntry>,
) -> Option<&'a Summary> {
    if let Callee::Method(_) = callee {
        return match candidates.as_slice() {
            [only] => Some(&only.summary),
            _ => None,
        };
    }
    let same_file: Vec<&SummaryEntry> =
        candidates.iter().copied().filter(|e| e.file == file).collect();
    match (same_file.as_slice(), candidates.as_slice()) {
        ([only], _) => Some(&only.summary),
        ([], [only]) => Some(&only.summary),
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
    seen: RefCell<HashMap<Callee, Vec<Option<Summary>>>>,
}

/// A lookup an analysis made, and what it found.
pub type Seen = (Callee, Option<Summary>);

impl<'a> SummaryView<'a> {
    pub fn new(run: &'a Summaries, file: usize) -> Self {
        SummaryView { run, file, own: Summaries::default(), seen: RefCell::default() }
    }

    /// A function of this file has been summarised: later lookups find the new summary.
    pub fn add_own(&mut self, language: Language, entry: SummaryEntry) {
        self.own.insert(language, entry);
    }

    pub fn lookup(&self, language: Language, callee: &Callee) -> Option<Summary> {
        let fresh = self.own.candidates_of(language, callee);
        let older = self.run.candidates_of(language, callee).into_iter().filter(|entry| {
            entry.file != self.file || !fresh.iter().any(|own| own.name == entry.name)
        });
        let candidates: Vec<&SummaryEntry> = fresh.iter().copied().chain(older).collect();
        let found = pick(self.file, callee, candidates).cloned();
        let mut seen = self.seen.borrow_mut();
        match seen.get_mut(callee) {
            Some(answers) if answers.contains(&found) => {}
            Some(answers) => answers.push(found.clone()),
            None => {
                seen.insert(callee.clone(), vec![found.clone()]);
            }
        }
        found
    }

    /// What the analysis looked up, for `Summaries::still_finds`.
    pub fn into_seen(self) -> Vec<Seen> {
        // In no particular order: the run only asks whether every one still holds.
        let seen = self.seen.into_inner().into_iter();
        seen.flat_map(|(callee, answers)| answers.into_iter().map(move |a| (callee.clone(), a)))
            .collect()
    }
}

impl Summaries {
    /// Whether every lookup a file's analysis made finds the same summary now.
    pub fn still_finds(&self, language: Language, file: usize, seen: &[Seen]) -> bool {
        seen.iter().all(|(callee, found)| self.lookup(language, file, callee) == found.as_ref())
    }
}

fn replace_in(entries: &mut Vec<SummaryEntry>, entry: SummaryEntry) {
    entries.retain(|known| !(known.file == entry.file && known.name == entry.name));
    entries.push(entry);
}

/// A call path (`db::connect`, `Pool::open`, `connect`) names a function (`connect`,
/// `Pool::open`) when the function's name is a suffix of it, segment by segment; a module path
/// before it cannot be checked without a build and is not held against it.
fn path_matches(path: &str, name: &str) -> bool {
    path == name || path.ends_with(&format!("::{name}"))
}

/// The last `n` `::`-separated segments of a path.
fn last_segments(path: &str, n: usize) -> &str {
    let mut cut = path.len();
    for _ in 0..n {
        match path[..cut].rfind("::") {
            Some(index) => cut = index,
            None => return path,
        }
    }
    &path[cut + 2..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, file: usize, runs: bool) -> SummaryEntry {
        SummaryEntry { name: name.into(), file, summary: Summary { runs, ..Summary::default() } }
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
    fn two_definitions_elsewhere_are_not_a_guess_but_one_here_wins() {
        let mut summaries = Summaries::default();
        summaries.insert(Language::C, entry("start", 1, true));
        summaries.insert(Language::C, entry("start", 2, false));
        let call = Callee::Path("start".into());
        assert!(summaries.lookup(Language::C, 0, &call).is_none());
        assert_eq!(summaries.lookup(Language::C, 2, &call).map(|s| s.runs), Some(false));
    }
}
