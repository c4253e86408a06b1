//! Which functions a run needs to analyse: those that can make a finding, and those whose
//! summaries they read. The others are skipped.
//!
//! Every finding is made at a call that forks, execs, spawns a program or daemonises
//! (FDL001-FDL004 are about what a process holds when it splits or runs another program),
//! in the function that calls it or in a caller of a function whose summary says it forks.
//! So a function can report only if it reaches such a call through the functions it calls
//! (by name, as lookups go): those functions *report*. A summary matters only to a function
//! that reports or to one whose summary matters: those functions, and the ones that report,
//! are *needed*. Any other function's analysis changes no finding. On a real tree most
//! functions never come near a fork.
//!
//! The call graph comes from the name scan of each text before anything is lowered, and a
//! scan is a guess (a macro can hide a call from it, unbalanced braces can hide a function).
//! So each function's IR is checked against it before it is analysed or skipped
//! ([`Demand::verdict`]): a function the scan got wrong in a way that could change a finding
//! makes the verdict [`Verdict::Unsound`], and the run is then analysed again whole.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::order::{function_callees, last_segment};
use super::waves::{name_hash, NameHashes};
use crate::catalog::Catalog;
use crate::ir::{Function, Language};

/// Role bits, kept in the four low bits of a name's hash. NEEDED: a needed function has
/// the name or calls it. REPORTS: a function that reports has it. CALLED: some function
/// calls it. DEFINED: some function has it.
const NEEDED: u64 = 1;
const REPORTS: u64 = 2;
const CALLED: u64 = 4;
const DEFINED: u64 = 8;
const ROLES: u64 = NEEDED | REPORTS | CALLED | DEFINED;

/// The roles of every name a run defines or calls.
#[derive(Debug, Default)]
pub struct Demand {
    /// Each name defined or called in the run, its hash's four low bits replaced by its
    /// roles, sorted. Two names that differ only in those bits share their roles: more is
    /// analysed, never less.
    names: Vec<u64>,
    /// The hashes of the names of the calls findings are made at, sorted.
    sites: Vec<u64>,
    /// Those and the names of the functions that report.
    reporting: HashSet<u64, foldhash::fast::FixedState>,
    /// Seen while the run goes: the names of functions the scan did not see defined, and the
    /// names analysed functions call that the scan did not see them call. A name in both is
    /// a lookup that may have found a function left out.
    undeclared: Mutex<Vec<u64>>,
    unforeseen: Mutex<Vec<u64>>,
}

/// What to do with one function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Analyse,
    Skip,
    /// Its IR calls what the name scan did not see: a skipped function may matter.
    Unsound,
}

impl Demand {
    /// The roles of the names of the files `names` describe.
    /// The function parts of `names` are taken out.
    pub fn of(names: &mut [NameHashes], catalog: &Catalog) -> Demand {
        let mut sites: Vec<u64> = [Language::C, Language::Rust]
            .into_iter()
            .flat_map(|language| {
                catalog
                    .finding_sites(language)
                    .map(move |name| name_hash(language, last_segment(name)))
            })
            .collect();
        sites.sort_unstable();
        sites.dedup();
        let graph = Graph::of(names, &sites);
        let names = graph.roles(names);
        let reports = names.iter().filter(|&&name| name & REPORTS != 0).map(|name| name & !ROLES);
        let mut reporting: HashSet<u64, _> = sites.iter().map(|site| site & !ROLES).collect();
        reporting.extend(reports);
        Demand {
            names,
            sites,
            reporting,
            undeclared: Mutex::default(),
            unforeseen: Mutex::default(),
        }
    }

    /// Whether `function` (of a file in `language`) needs its analysis, checked against what
    /// its IR calls.
    pub fn verdict(&self, language: Language, function: &Function) -> Verdict {
        let name = name_hash(language, last_segment(&function.name));
        let role = self.role(name);
        if role & DEFINED == 0 {
            lock(&self.undeclared).push(name);
        }
        let mut reports = false;
        let mut unneeded = Vec::new();
        for callee in function_callees(function) {
            let hash = name_hash(language, callee);
            let callee_role = self.role(hash);
            reports |= self.sites.binary_search(&hash).is_ok() || callee_role & REPORTS != 0;
            // A macro (`name!`) is never a function of the run.
            if callee_role & NEEDED == 0 && !callee.ends_with('!') {
                unneeded.push((hash, callee_role));
            }
        }
        if !reports && role & NEEDED == 0 {
            return Verdict::Skip;
        }
        // Analysed: what it calls must be too, and if it reports, whoever calls it.
        let skipped_callee = unneeded.iter().any(|(_, role)| role & DEFINED != 0);
        if skipped_callee || reports && role & CALLED != 0 && role & REPORTS == 0 {
            return Verdict::Unsound;
        }
        if !unneeded.is_empty() {
            lock(&self.unforeseen).extend(unneeded.iter().map(|(hash, _)| hash));
        }
        Verdict::Analyse
    }

    /// Whether lowering may leave a function out: its name is needed by no function that
    /// can report, and its text mentions no name of a call where findings are made nor of a
    /// function that reports (so whatever the scan misread in it, it cannot report either).
    pub fn leaves_out(&self, language: Language, name: &str, text: &str) -> bool {
        let role = self.role(name_hash(language, name));
        if role & DEFINED == 0 || role & NEEDED != 0 {
            return false;
        }
        let reporting = |word: &str| self.reporting.contains(&(name_hash(language, word) & !ROLES));
        !identifiers(text).any(reporting)
    }

    /// Whether an analysed function called a name that a function the scan did not see has:
    /// a lookup that found nothing where the function left out would have been found.
    pub fn missed_a_definition(&self) -> bool {
        let mut undeclared = std::mem::take(&mut *lock(&self.undeclared));
        undeclared.sort_unstable();
        let unforeseen = lock(&self.unforeseen);
        unforeseen.iter().any(|name| undeclared.binary_search(name).is_ok())
    }

    /// The roles of a name, none when the run neither defines nor calls it.
    fn role(&self, name: u64) -> u64 {
        let key = name & !ROLES;
        let at = self.names.partition_point(|&known| known & !ROLES < key);
        self.names.get(at).filter(|&&known| known & !ROLES == key).map_or(0, |known| known & ROLES)
    }
}

/// The identifiers of a text (and of its comments and strings: more than it calls).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_alphabetic() || c == '_'))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The run's functions and their calls to names the run defines.
struct Graph {
    /// Per function: its name (`NO_NAME` for calls outside every function; a name that
    /// hashes to it is taken for those, which only makes more needed) and where its calls
    /// end in `calls`. Apart, not in pairs: the whole tree's functions are held at once.
    names: Vec<u64>,
    ends: Vec<u32>,
    calls: Vec<u64>,
    reports: Vec<bool>,
    /// The names opaque files call (which may be their own definitions, misread): they
    /// report.
    opaque_names: Vec<u64>,
    /// How many of the functions are each file's, in order.
    per_file: Vec<usize>,
}

const NO_NAME: u64 = u64::MAX;

impl Graph {
    fn of(names: &mut [NameHashes], sites: &[u64]) -> Graph {
        // What an opaque file calls may be what it defines, misread: taken as defined.
        let opaque_calls = names.iter().filter(|file| file.opaque).map(NameHashes::called_names);
        let mut opaque_names: Vec<u64> = opaque_calls.flatten().copied().collect();
        opaque_names.sort_unstable();
        opaque_names.dedup();
        let mut defined: Vec<u64> =
            names.iter().flat_map(|file| file.defined_names().iter().copied()).collect();
        defined.extend_from_slice(&opaque_names);
        defined.sort_unstable();
        defined.dedup();
        let is_defined = |name: &u64| defined.binary_search(name).is_ok();
        // Sized once: grown by doubling, three vectors a function long would take up to
        // three times their room while they copy.
        let count = names.iter().map(NameHashes::function_count).sum();
        let mut graph = Graph {
            names: Vec::with_capacity(count),
            ends: Vec::with_capacity(count),
            calls: Vec::new(),
            reports: Vec::with_capacity(count),
            opaque_names,
            per_file: Vec::with_capacity(names.len()),
        };
        for file in names {
            let functions = file.take_functions();
            graph.per_file.push(functions.len());
            for (name, calls) in functions {
                let at_site = calls.iter().any(|call| sites.binary_search(call).is_ok());
                graph.calls.extend(calls.into_iter().filter(is_defined));
                graph.names.push(name.unwrap_or(NO_NAME));
                graph.ends.push(u32::try_from(graph.calls.len()).unwrap_or(u32::MAX));
                graph.reports.push(at_site || file.opaque);
            }
        }
        graph
    }

    fn name(&self, function: usize) -> Option<u64> {
        Some(self.names[function]).filter(|&name| name != NO_NAME)
    }

    fn calls_of(&self, function: usize) -> &[u64] {
        let start = function.checked_sub(1).map_or(0, |before| self.ends[before] as usize);
        &self.calls[start..self.ends[function] as usize]
    }

    /// Every function that reaches a finding's call, then every function they need: the
    /// roles of every name.
    fn roles(mut self, names: &[NameHashes]) -> Vec<u64> {
        let reporting = self.spread_reports();
        // Function indices by name: four bytes a function, where pairs would take sixteen.
        let mut definers: Vec<u32> = (0..self.names.len())
            .filter(|&function| self.name(function).is_some())
            .filter_map(|function| u32::try_from(function).ok())
            .collect();
        definers.sort_unstable_by_key(|&function| (self.names[function as usize], function));
        let needed = self.needed(&reporting, &definers);
        self.table(names, &definers, &needed)
    }

    /// The functions (by index, in `definers`) with the name `name`.
    fn definers_of<'d>(&self, definers: &'d [u32], name: u64) -> &'d [u32] {
        let start = definers.partition_point(|&f| self.names[f as usize] < name);
        let end = start + definers[start..].partition_point(|&f| self.names[f as usize] == name);
        &definers[start..end]
    }

    /// Marks every caller (by name) of a function that reports as reporting; returns them all.
    fn spread_reports(&mut self) -> Vec<usize> {
        let mut callers: Vec<(u64, u32)> = (0..self.names.len())
            .filter_map(|function| Some((function, u32::try_from(function).ok()?)))
            .flat_map(|(function, index)| {
                self.calls_of(function).iter().map(move |&name| (name, index))
            })
            .collect();
        callers.sort_unstable();
        let mut reporting: Vec<usize> =
            (0..self.names.len()).filter(|&function| self.reports[function]).collect();
        let mut work: Vec<u64> = self.opaque_names.clone();
        work.extend(reporting.iter().filter_map(|&function| self.name(function)));
        while let Some(name) = work.pop() {
            let start = callers.partition_point(|&(known, _)| known < name);
            let end = start + callers[start..].partition_point(|&(known, _)| known == name);
            for &(_, caller) in &callers[start..end] {
                let caller = caller as usize;
                if !self.reports[caller] {
                    self.reports[caller] = true;
                    reporting.push(caller);
                    work.extend(self.name(caller));
                }
            }
        }
        reporting
    }

    /// Which functions are needed. By name, as the verdict goes: every function of a needed
    /// name is analysed, so whatever any of them calls is needed too.
    fn needed(&self, reporting: &[usize], definers: &[u32]) -> Vec<bool> {
        let mut needed = vec![false; self.names.len()];
        let mut work: Vec<u64> = reporting.iter().filter_map(|&f| self.name(f)).collect();
        work.extend_from_slice(&self.opaque_names);
        for function in (0..self.names.len()).filter(|&f| self.name(f).is_none()) {
            needed[function] = true;
            work.extend_from_slice(self.calls_of(function));
        }
        while let Some(name) = work.pop() {
            for &function in self.definers_of(definers, name) {
                let function = function as usize;
                if !needed[function] {
                    needed[function] = true;
                    work.extend_from_slice(self.calls_of(function));
                }
            }
        }
        needed
    }

    /// The roles of every name defined or called, sorted, one entry a name.
    fn table(&self, names: &[NameHashes], definers: &[u32], needed: &[bool]) -> Vec<u64> {
        let mut roles: Vec<u64> = definers
            .iter()
            .map(|&function| {
                let function = function as usize;
                let role = if needed[function] { NEEDED | DEFINED } else { DEFINED };
                let reports = if self.reports[function] { REPORTS } else { 0 };
                (self.names[function] & !ROLES) | role | reports
            })
            .collect();
        roles.extend(self.opaque_names.iter().map(|&name| (name & !ROLES) | ROLES));
        roles.sort_unstable();
        roles = merge_roles(roles);
        // A name no function is seen to define, called in a file where a function is needed,
        // is needed: it may be a definition the scan missed (which is then analysed), and
        // otherwise it costs nothing. Every name called is known as called.
        let is_defined = |name: u64| {
            !self.definers_of(definers, name).is_empty()
                || self.opaque_names.binary_search(&name).is_ok()
        };
        let mut function = 0;
        let mut settled = roles.len();
        for (file, &count) in names.iter().zip(&self.per_file) {
            let any_needed = needed[function..function + count].iter().any(|&needed| needed);
            function += count;
            let role = |name: u64| match any_needed && !is_defined(name) {
                true => NEEDED | CALLED,
                false => CALLED,
            };
            roles.extend(file.called_names().iter().map(|&name| (name & !ROLES) | role(name)));
            compact_past(&mut roles, &mut settled);
        }
        roles.sort_unstable();
        merge_roles(roles)
    }
}

/// One entry a name, with the roles of all its entries.
fn merge_roles(mut sorted: Vec<u64>) -> Vec<u64> {
    sorted.dedup_by(|entry, kept| {
        let same = *entry & !ROLES == *kept & !ROLES;
        if same {
            *kept |= *entry & ROLES;
        }
        same
    });
    sorted.shrink_to_fit();
    sorted
}

/// Merges `roles` once a few thousand entries have come since it was last merged: the names
/// every file calls, repeats and all, would take many times the room of the distinct ones.
fn compact_past(roles: &mut Vec<u64>, settled: &mut usize) {
    if roles.len() > *settled + (1 << 15) {
        roles.sort_unstable();
        *roles = merge_roles(std::mem::take(roles));
        *settled = roles.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend;
    use crate::ir::LoweredFile;

    /// The demand of a run of the C `texts`, names read as the driver reads them, off the text.
    fn demand_of(texts: &[&str]) -> Demand {
        let scan =
            |text: &&str| NameHashes::of(Language::C, frontend::scan_names(Language::C, text));
        let mut names: Vec<NameHashes> = texts.iter().map(scan).collect();
        Demand::of(&mut names, &Catalog::builtin())
    }

    /// Each function of the C `texts` and its verdict.
    fn verdicts(texts: &[&str]) -> Vec<(String, Verdict)> {
        let demand = demand_of(texts);
        let files: Vec<LoweredFile> =
            texts.iter().map(|t| frontend::lower(Language::C, t)).collect();
        let functions = files.iter().flat_map(|file| &file.functions);
        functions.map(|f| (f.name.clone(), demand.verdict(Language::C, f))).collect()
    }

    fn expect(pairs: &[(&str, Verdict)]) -> Vec<(String, Verdict)> {
        pairs.iter().map(|(name, verdict)| (name.to_string(), *verdict)).collect()
    }

    #[test]
    fn only_functions_a_finding_may_depend_on_are_analysed() {
        let texts = [
            "int open_conn(void) { return socket(2, 1, 0); }\n\
             int unused_open(void) { return socket(2, 1, 0); }",
            "int spawn_worker(void) { int fd = open_conn(); if (fork() == 0) { pause(); } return fd; }",
            "int main(void) { log_line(); return spawn_worker(); }\n\
             void log_line(void) { puts(\"x\"); }\n\
             int checksum(int n) { return n * 3; }",
        ];
        use Verdict::{Analyse, Skip};
        assert_eq!(
            verdicts(&texts),
            expect(&[
                ("open_conn", Analyse),
                ("unused_open", Skip),
                ("spawn_worker", Analyse),
                ("main", Analyse),
                ("log_line", Analyse),
                ("checksum", Skip),
            ])
        );
    }

    #[test]
    fn lowering_leaves_out_a_function_only_when_its_text_cannot_report() {
        let texts = [
            "int spawn(void) { if (fork() == 0) { pause(); } return 0; }",
            "int plain(int n) { return n + 1; }\n\
             int noted(int n) { /* spawn() first */ return n; }\n\
             int caller(void) { return spawn(); }",
        ];
        let demand = demand_of(&texts);
        let leaves_out = |name: &str, text: &str| demand.leaves_out(Language::C, name, text);
        assert!(leaves_out("plain", "int plain(int n) { return n + 1; }"));
        // A mention of a function that reports, even in a comment, keeps it.
        assert!(!leaves_out("noted", "int noted(int n) { /* spawn() first */ return n; }"));
        assert!(!leaves_out("caller", "int caller(void) { return spawn(); }"));
        assert!(!leaves_out("unknown", "int unknown(void) { return 0; }"), "not seen defined");
    }

    #[test]
    fn a_function_the_scan_missed_is_unsound_when_a_finding_may_depend_on_it() {
        // A K&R definition: the scan does not see it defined, so it did not see that calling
        // it forks, and left its caller out.
        let texts = [
            "int old_style(fd) int fd; { return fork(); }",
            "int caller(void) { return old_style(3); }\nint other(void) { return 1; }",
        ];
        use Verdict::{Skip, Unsound};
        assert_eq!(
            verdicts(&texts),
            expect(&[("old_style", Unsound), ("caller", Skip), ("other", Skip)])
        );
    }

    #[test]
    fn a_call_the_scan_did_not_see_to_a_function_it_did_not_see_is_caught_at_the_end() {
        // `mut_step(cmdcopy) { .. }` defines `cmdcopy` to the parser and `mut_step` to the scan;
        // a comment between `cmdcopy` and its arguments hides the call from the scan.
        let texts = [
            "mut_step(cmdcopy) { return 0; }",
            "int main(void) { if (fork() == 0) { pause(); } cmdcopy /* step */ (1); return 0; }",
        ];
        let demand = demand_of(&texts);
        let lowered: Vec<LoweredFile> =
            texts.iter().map(|t| frontend::lower(Language::C, t)).collect();
        for function in lowered.iter().flat_map(|file| &file.functions) {
            assert_ne!(
                demand.verdict(Language::C, function),
                Verdict::Unsound,
                "{}",
                function.name
            );
        }
        assert!(demand.missed_a_definition());
    }
}
