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

use std::sync::{Mutex, MutexGuard, PoisonError};

use super::order::{function_callees, last_segment};
use super::tree_names::{name_hash, Buckets, NameHashes, TreeNames};
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
    /// Each name defined or called in the run and its roles.
    roles: RoleTable,
    /// The hashes of the names of the calls findings are made at, sorted.
    sites: Vec<u64>,
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
    /// The roles of the names of the files `names` describe, whose defined names are `tree`.
    pub fn of(names: &[NameHashes], tree: &TreeNames, catalog: &Catalog) -> Demand {
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
        let mut graph = Graph::of(names, tree, &sites);
        graph.spread_reports();
        graph.spread_needs();
        Demand {
            roles: RoleTable::of(graph.table(names)),
            sites,
            undeclared: Mutex::default(),
            unforeseen: Mutex::default(),
        }
    }

    /// Whether `function` (of a file in `language`) needs its analysis, checked against what
    /// its IR calls.
    pub fn verdict(&self, language: Language, function: &Function) -> Verdict {
        let name = name_hash(language, last_segment(&function.name));
        let role = self.roles.role(name);
        if role & DEFINED == 0 {
            lock(&self.undeclared).push(name);
        }
        let mut reports = false;
        let mut unneeded = Vec::new();
        for callee in function_callees(function) {
            let hash = name_hash(language, callee);
            let callee_role = self.roles.role(hash);
            reports |= self.is_site(hash) || callee_role & REPORTS != 0;
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
        let role = self.roles.role(name_hash(language, name));
        if role & DEFINED == 0 || role & NEEDED != 0 {
            return false;
        }
        let reporting = |word: &str| {
            let hash = name_hash(language, word);
            self.is_site(hash) || self.roles.role(hash) & REPORTS != 0
        };
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

    /// Whether `name` is that of a call where findings are made.
    fn is_site(&self, name: u64) -> bool {
        self.sites.binary_search(&name).is_ok()
    }
}

/// Names and their roles, looked up by the top bits of their hashes.
#[derive(Debug, Default)]
struct RoleTable {
    /// Each name's hash, its four low bits replaced by its roles, sorted, once each. Two
    /// names that differ only in those bits share their roles: more is analysed, never less.
    entries: Vec<u64>,
    buckets: Buckets,
}

impl RoleTable {
    /// `entries` as `merge_roles` leaves them.
    fn of(entries: Vec<u64>) -> RoleTable {
        RoleTable { buckets: Buckets::of(&entries), entries }
    }

    /// The roles of a name, none when the run neither defines nor calls it.
    fn role(&self, name: u64) -> u64 {
        let key = name & !ROLES;
        let bucket = self.entries.get(self.buckets.of_hash(key)).unwrap_or_default();
        bucket.iter().find(|&&entry| entry & !ROLES == key).map_or(0, |entry| entry & ROLES)
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

/// The calls between the names the run defines. By name, as lookups go: a function that
/// calls a name calls every function of it, so every function of a needed name is needed,
/// and a function that calls a name some function of which reports, reports.
struct Graph<'t> {
    tree: &'t TreeNames,
    /// Per name of `tree`: its roles so far (all of them are DEFINED).
    roles: Vec<u8>,
    /// (caller, callee) as indices into `tree`.
    calls: Vec<(u32, u32)>,
    /// Names called outside every function (an initialiser, a macro): needed from the start.
    roots: Vec<u32>,
}

impl<'t> Graph<'t> {
    fn of(names: &[NameHashes], tree: &'t TreeNames, sites: &[u64]) -> Graph<'t> {
        let mut graph =
            Graph { tree, roles: vec![0; tree.len()], calls: Vec::new(), roots: Vec::new() };
        for file in names {
            // What an opaque file calls may be what it defines, misread: taken to report.
            if file.opaque {
                for name in file.called_names().iter().filter_map(|&name| tree.index(name)) {
                    graph.roles[name as usize] |= REPORTS as u8;
                }
            }
            file.for_each_function(|name, calls| graph.add_function(name, calls, sites));
        }
        graph
    }

    fn add_function(&mut self, name: Option<u64>, calls: &[u64], sites: &[u64]) {
        let caller = name.and_then(|name| self.tree.index(name));
        let mut at_site = false;
        for &call in calls {
            at_site |= sites.binary_search(&call).is_ok();
            if let Some(callee) = self.tree.index(call) {
                match caller {
                    Some(caller) => self.calls.push((caller, callee)),
                    None => self.roots.push(callee),
                }
            }
        }
        if let Some(caller) = caller.filter(|_| at_site) {
            self.roles[caller as usize] |= REPORTS as u8;
        }
    }

    fn has(&self, name: u32, role: u64) -> bool {
        u64::from(self.roles[name as usize]) & role != 0
    }

    fn set(&mut self, name: u32, role: u64) {
        self.roles[name as usize] |= role as u8;
    }

    /// Every caller of a name that reports reports.
    fn spread_reports(&mut self) {
        self.calls.sort_unstable_by_key(|&(caller, callee)| (callee, caller));
        self.calls.dedup();
        let mut work: Vec<u32> = (0..self.roles.len())
            .filter_map(|name| u32::try_from(name).ok())
            .filter(|&name| self.has(name, REPORTS))
            .collect();
        while let Some(name) = work.pop() {
            let start = self.calls.partition_point(|&(_, callee)| callee < name);
            let end = start + self.calls[start..].partition_point(|&(_, callee)| callee == name);
            for at in start..end {
                let caller = self.calls[at].0;
                if !self.has(caller, REPORTS) {
                    self.set(caller, REPORTS);
                    work.push(caller);
                }
            }
        }
    }

    /// The names that report, what is called outside every function, and all they call, are
    /// needed.
    fn spread_needs(&mut self) {
        self.calls.sort_unstable();
        let mut work: Vec<u32> = (0..self.roles.len())
            .filter_map(|name| u32::try_from(name).ok())
            .filter(|&name| self.has(name, REPORTS))
            .collect();
        work.append(&mut self.roots);
        while let Some(name) = work.pop() {
            if self.has(name, NEEDED) {
                continue;
            }
            self.set(name, NEEDED);
            let start = self.calls.partition_point(|&(caller, _)| caller < name);
            let end = start + self.calls[start..].partition_point(|&(caller, _)| caller == name);
            work.extend(self.calls[start..end].iter().map(|&(_, callee)| callee));
        }
    }

    /// The roles of every name defined or called, sorted, one entry a name.
    fn table(mut self, names: &[NameHashes]) -> Vec<u64> {
        // A name no function is seen to define, called in a file where a function is needed,
        // is needed: it may be a definition the scan missed (which is then analysed), and
        // otherwise it costs nothing. Every name called is known as called.
        let mut undefined = Vec::new();
        let mut settled = 0;
        for file in names {
            let mut any_needed = false;
            file.for_each_function(|name, _| {
                let index = name.and_then(|name| self.tree.index(name));
                any_needed |= index.is_none_or(|index| self.has(index, NEEDED));
            });
            let role = if any_needed { NEEDED | CALLED } else { CALLED };
            for &name in file.called_names() {
                match self.tree.index(name) {
                    Some(index) => self.set(index, CALLED),
                    None => {
                        undefined.push((name & !ROLES) | role);
                        compact_past(&mut undefined, &mut settled);
                    }
                }
            }
        }
        let defined = self.tree.names().iter().zip(&self.roles);
        let mut roles: Vec<u64> =
            defined.map(|(&name, &role)| (name & !ROLES) | DEFINED | u64::from(role)).collect();
        roles.append(&mut undefined);
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
    use crate::analysis::tree_names::{known_and_unknown, TABLE_SIZES};
    use crate::frontend;
    use crate::ir::LoweredFile;

    /// The demand of a run of the C `texts`, names read as the driver reads them, off the text.
    fn demand_of(texts: &[&str]) -> Demand {
        let scan =
            |text: &&str| NameHashes::of(Language::C, frontend::scan_names(Language::C, text));
        let names: Vec<NameHashes> = texts.iter().map(scan).collect();
        Demand::of(&names, &TreeNames::of(&names), &Catalog::builtin())
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
    fn a_role_is_found_in_its_bucket_whatever_the_table_size() {
        for size in TABLE_SIZES {
            let (known, unknown) = known_and_unknown(size);
            let entries =
                known.iter().enumerate().map(|(n, &hash)| (hash & !ROLES) | (n as u64 % 15 + 1));
            let mut entries: Vec<u64> = entries.collect();
            entries.sort_unstable();
            let table = RoleTable::of(merge_roles(entries));
            for (n, &hash) in known.iter().enumerate() {
                assert_eq!(table.role(hash), n as u64 % 15 + 1, "size {size}, name {n}");
            }
            assert!(unknown.iter().all(|&hash| table.role(hash) == 0), "size {size}");
        }
        assert_eq!(RoleTable::default().role(7), 0);
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
