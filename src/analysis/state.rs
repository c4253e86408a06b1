//! The abstract state of one process at one program point, and how two states join.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::rc::Rc;

use super::idset::{Id, IdSet};
use super::sorted::{SortedMap, SortedSet};
use super::{RunEvent, Side};
use crate::ir::{LocalId, Place, PlaceBase, Projection, Span};

/// A connection by its opening site in the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConnId(pub u32);

/// A fork by its call site in the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ForkId(pub u32);

macro_rules! numbered_id {
    ($($id:ident),*) => {$(
        impl Id for $id {
            fn index(self) -> usize {
                self.0 as usize
            }
            fn from_index(index: usize) -> Self {
                $id(index as u32)
            }
        }
    )*};
}

numbered_id!(ConnId, ForkId);

pub type ConnSet = IdSet<ConnId>;
pub type ForkSet = IdSet<ForkId>;

/// Which process a state belongs to: for every fork on the path, the side taken (at most
/// one entry per fork, the latest; bounded length).
pub type ProcessKey = Vec<(ForkId, Side)>;

/// Something that runs threads in the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ThreadId {
    /// Started by the call at this thread site.
    Spawned(u32),
    /// The I/O thread of a client library's connection.
    Client(ConnId),
    /// Started before the body runs, by an attribute of the function (`#[tokio::main]`).
    Entry,
}

/// What a variable may hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Value {
    pub conns: ConnSet,
    /// The result of this fork (a pid or a `ForkResult`).
    pub fork: Option<ForkId>,
    /// The type the catalog gave it (`redis::Client`), so methods on it can be told apart.
    pub tag: Option<String>,
    /// The threads it is a handle to.
    pub threads: SortedSet<ThreadId>,
    /// A plain number counted up or down (`fd` in `for (fd = 3; fd < max; fd++)`).
    pub counter: bool,
    /// A pointer loaded from a field (`state = session->state`): the heap place it names, so
    /// a store through it (`state->fd = fd`) lands in that place.
    pub alias: Option<String>,
}

impl Value {
    pub fn of_conn(conn: ConnId) -> Value {
        Value { conns: ConnSet::of(conn), ..Value::default() }
    }

    /// Whether it equals `Value::default()`, without building one to compare with.
    pub fn is_default(&self) -> bool {
        let Value { conns, fork, tag, threads, counter, alias } = self;
        conns.is_empty()
            && fork.is_none()
            && tag.is_none()
            && threads.is_empty()
            && !counter
            && alias.is_none()
    }

    /// Joins another path's value into this one; returns whether this one changed.
    pub fn join(&mut self, other: &Value) -> bool {
        let sizes = (self.conns.len(), self.threads.len());
        self.conns.extend(other.conns.iter());
        self.threads.extend(other.threads.iter().copied());
        let mut changed = sizes != (self.conns.len(), self.threads.len());
        if self.fork != other.fork && self.fork.is_some() {
            self.fork = None;
            changed = true;
        }
        if self.tag != other.tag && self.tag.is_some() {
            self.tag = None;
            changed = true;
        }
        if self.alias != other.alias && self.alias.is_some() {
            self.alias = None;
            changed = true;
        }
        changed |= self.counter && !other.counter;
        self.counter &= other.counter;
        changed
    }
}

/// What one process still owes a connection it inherited at a fork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    /// Closed, shut down, used, or ended at once: nothing more to check.
    pub resolved: bool,
    /// The first point since the fork where the process went on running.
    pub ran: Option<RunEvent>,
    /// The first use since the fork.
    pub used: Option<Span>,
    /// The process closed or shut it down.
    pub closed: bool,
}

impl Obligation {
    pub fn new(resolved: bool) -> Self {
        Obligation { resolved, ran: None, used: None, closed: false }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcState {
    /// What locals hold. Shared between the states a branch makes until one of them writes
    /// (`Rc::make_mut`): most branches only call, and a join of two untouched copies is free.
    pub values: Rc<SortedMap<LocalId, Value>>,
    /// Connections opened on a path to here.
    pub opened: ConnSet,
    /// Connections this process closed or shut down on some path to here.
    pub closed: ConnSet,
    /// Connections it closed or shut down on every path to here (a part of `closed`).
    pub closed_on_every_path: ConnSet,
    /// Connections it closed or shut down in a loop's body, on some path: a loop is taken to
    /// run (`for (i = 0; i < n; i++) close(socks[i])` leaves nothing open, even if `n` is 0).
    pub closed_in_loop: ConnSet,
    /// Connections it closed or shut down on some path since the latest fork: a close on some
    /// path before the fork may not have happened on the path that forked.
    pub closed_since_fork: ConnSet,
    pub listening: ConnSet,
    /// Connections whose descriptor is close-on-exec (on every path to here).
    pub cloexec: ConnSet,
    pub obligations: SortedMap<(ForkId, ConnId), Obligation>,
    /// What runs threads in the process, on every path to here.
    pub threads: SortedSet<ThreadId>,
    /// What globals and fields hold, by place (`g:zh`, `l:0.fd`, `g:pool[]`).
    pub heap: Rc<BTreeMap<String, Value>>,
    /// The process went on running (a loop, a blocking or unknown call) since the function
    /// began, and since the latest fork.
    pub ran: bool,
    pub ran_since_fork: bool,
    /// Connections passed to calls that use them since the latest fork.
    pub used: ConnSet,
    /// Every descriptor was closed (`closefrom`, a close loop).
    pub closed_all: bool,
    /// Forks after which this child lost running threads: the first of them, and whether
    /// the child went on running since (rather than exec or exit at once).
    pub threads_lost: SortedMap<ForkId, (ThreadId, bool)>,
    /// Forks after which this process took a branch on something other than their result
    /// (for fix-its: code inserted in a later branch would not run on every path).
    pub wandered: ForkSet,
}

impl ProcState {
    /// Connections open in this process now.
    pub fn live(&self) -> ConnSet {
        self.opened.difference(&self.closed)
    }

    pub fn value_of(&self, local: LocalId) -> Value {
        self.values.get(&local).cloned().unwrap_or_default()
    }

    /// Takes what a local holds out of the state. Copies the shared map only when the local
    /// is in it: most reads of a temporary and most scope ends find nothing to take.
    pub fn take_value(&mut self, local: LocalId) -> Option<Value> {
        if !self.values.contains_key(&local) {
            return None;
        }
        Rc::make_mut(&mut self.values).remove(&local)
    }

    /// Sets what a local holds; a value like the one it holds already leaves the shared map
    /// uncopied.
    pub fn set_value(&mut self, local: LocalId, value: Value) {
        if self.values.get(&local) != Some(&value) {
            Rc::make_mut(&mut self.values).insert(local, value);
        }
    }

    /// A heap key through a local that aliases a field (`l:2.fd` where local 2 was loaded from
    /// `l:0.state`) is that field's key (`l:0.state.fd`).
    pub fn unalias(&self, key: String) -> String {
        let Some(rest) = key.strip_prefix("l:") else { return key };
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let Ok(local) = rest[..digits].parse::<u32>() else { return key };
        match self.values.get(&LocalId(local)).and_then(|value| value.alias.as_ref()) {
            Some(alias) => format!("{alias}{}", &rest[digits..]),
            None => key,
        }
    }

    /// What a global or field holds: the place itself, else the nearest enclosing place
    /// (`ctx->fd` read through `ctx`'s handle), else nothing known.
    pub fn heap_value(&self, key: &str) -> Option<&Value> {
        let mut key = key;
        loop {
            if let Some(value) = self.heap.get(key) {
                return Some(value);
            }
            key = &key[..key.rfind(['.', '['])?];
        }
    }

    /// Connections held anywhere under a place root (`l:3` covers `l:3.fd` and `l:3[]`).
    pub fn heap_under(&self, root: &str) -> ConnSet {
        self.heap
            .range::<str, _>((Bound::Included(root), Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(root))
            .filter(|(key, _)| matches!(key.as_bytes().get(root.len()), None | Some(b'.' | b'[')))
            .flat_map(|(_, value)| value.conns.iter())
            .collect()
    }

    /// The process closes or shuts down these connections here; `every_path` is false for a
    /// callee that does so on some of its paths only, `in_loop` true in a loop's body.
    pub fn close(&mut self, conns: &ConnSet, every_path: bool, in_loop: bool) {
        self.closed.union_with(conns);
        match (every_path, in_loop) {
            (false, _) => {}
            (true, false) => _ = self.closed_on_every_path.union_with(conns),
            (true, true) => _ = self.closed_in_loop.union_with(conns),
        }
        self.closed_since_fork.union_with(conns);
    }

    /// Connections closed on every path to here, a loop taken to run.
    pub fn closed_surely(&self) -> ConnSet {
        let mut surely = self.closed_on_every_path.clone();
        surely.union_with(&self.closed_in_loop);
        surely
    }

    /// A new connection from this site: whatever an earlier one from it went through, this
    /// one is open.
    pub fn reopen(&mut self, conn: ConnId) {
        self.opened.insert(conn);
        self.closed.remove(&conn);
        self.closed_on_every_path.remove(&conn);
        self.closed_in_loop.remove(&conn);
        self.closed_since_fork.remove(&conn);
    }

    /// The process used or released these connections: its obligations to them are met.
    pub fn resolve(&mut self, conns: &ConnSet) {
        for ((_, conn), obligation) in self.obligations.iter_mut() {
            if conns.contains(conn) {
                obligation.resolved = true;
            }
        }
    }

    /// The process goes on running here: every open obligation remembers the first place.
    pub fn mark_running(&mut self, event: &RunEvent) {
        self.mark_running_with(|| event.clone());
    }

    /// `mark_running`, building the event only for an obligation that keeps it (a call's
    /// event names its callee, and most processes owe nothing).
    pub fn mark_running_with(&mut self, event: impl FnOnce() -> RunEvent) {
        self.ran = true;
        self.ran_since_fork = true;
        for (_, ran) in self.threads_lost.values_mut() {
            *ran = true;
        }
        let mut waiting = self
            .obligations
            .values_mut()
            .filter(|obligation| !obligation.resolved && obligation.ran.is_none())
            .peekable();
        if waiting.peek().is_none() {
            return;
        }
        let event = event();
        for obligation in waiting {
            obligation.ran = Some(event.clone());
        }
    }

    /// Joins the state of another path into this one; returns whether this one changed.
    /// Precision first: a connection closed on some path counts as closed, an obligation met
    /// on some path counts as met (`closed_on_every_path` keeps what every path closed).
    pub fn join(&mut self, other: &ProcState) -> bool {
        let mut changed = join_shared(&mut self.values, &other.values);
        changed |= join_shared(&mut self.heap, &other.heap);
        // Close-on-exec only where every path that opened the connection set it.
        let cloexec_on_both = |conn: &ConnId, a: &ProcState, b: &ProcState| {
            (a.cloexec.contains(conn) || !a.opened.contains(conn))
                && (b.cloexec.contains(conn) || !b.opened.contains(conn))
        };
        let mut cloexec = self.cloexec.clone();
        cloexec.union_with(&other.cloexec);
        cloexec.retain(|c| cloexec_on_both(c, self, other));
        changed |= cloexec != self.cloexec;
        self.cloexec = cloexec;
        changed |= self.opened.union_with(&other.opened);
        changed |= self.closed.union_with(&other.closed);
        changed |= self.closed_in_loop.union_with(&other.closed_in_loop);
        changed |= self.closed_since_fork.union_with(&other.closed_since_fork);
        let every_path = self.closed_on_every_path.intersection(&other.closed_on_every_path);
        changed |= every_path != self.closed_on_every_path;
        self.closed_on_every_path = every_path;
        changed |= self.listening.union_with(&other.listening);
        changed |= self.used.union_with(&other.used);
        changed |= self.wandered.union_with(&other.wandered);
        for (key, theirs) in &other.obligations {
            let Some(mine) = self.obligations.get_mut(key) else {
                self.obligations.insert(*key, theirs.clone());
                changed = true;
                continue;
            };
            changed |= (theirs.resolved && !mine.resolved) || (theirs.closed && !mine.closed);
            mine.resolved |= theirs.resolved;
            mine.closed |= theirs.closed;
            if mine.ran.is_none() && theirs.ran.is_some() {
                mine.ran = theirs.ran.clone();
                changed = true;
            }
            if mine.used.is_none() && theirs.used.is_some() {
                mine.used = theirs.used;
                changed = true;
            }
        }
        let threads = self.threads.len();
        self.threads.retain(|thread| other.threads.contains(thread));
        changed |= threads != self.threads.len();
        changed |= (other.ran && !self.ran)
            || (other.ran_since_fork && !self.ran_since_fork)
            || (self.closed_all && !other.closed_all);
        self.ran |= other.ran;
        self.ran_since_fork |= other.ran_since_fork;
        self.closed_all &= other.closed_all;
        for (fork, (thread, ran)) in &other.threads_lost {
            match self.threads_lost.get_mut(fork) {
                Some(mine) => {
                    changed |= *ran && !mine.1;
                    mine.1 |= *ran;
                }
                None => {
                    self.threads_lost.insert(*fork, (*thread, *ran));
                    changed = true;
                }
            }
        }
        changed
    }
}

/// `join_values` on maps that branches share: two copies of one map, or two equal maps,
/// join into themselves, without copying the shared one.
fn join_shared<M: ValueMap>(target: &mut Rc<M>, other: &Rc<M>) -> bool {
    if Rc::ptr_eq(target, other) || **target == **other {
        return false;
    }
    join_values(Rc::make_mut(target), other)
}

/// Joins every value of `other` into `target`, by key; returns whether `target` changed.
fn join_values<M: ValueMap>(target: &mut M, other: &M) -> bool {
    let mut changed = false;
    for (key, theirs) in other.entries() {
        match target.value_mut(key) {
            Some(mine) => changed |= mine.join(theirs),
            None => {
                target.add(key.clone(), theirs.clone());
                changed = true;
            }
        }
    }
    changed
}

/// What a join needs of a state's map of values: the locals' and the heap's.
trait ValueMap: Clone + PartialEq {
    type Key: Clone;
    fn entries(&self) -> impl Iterator<Item = (&Self::Key, &Value)>;
    fn value_mut(&mut self, key: &Self::Key) -> Option<&mut Value>;
    fn add(&mut self, key: Self::Key, value: Value);
}

impl<K: Ord + Clone> ValueMap for SortedMap<K, Value> {
    type Key = K;
    fn entries(&self) -> impl Iterator<Item = (&K, &Value)> {
        self.iter()
    }
    fn value_mut(&mut self, key: &K) -> Option<&mut Value> {
        self.get_mut(key)
    }
    fn add(&mut self, key: K, value: Value) {
        self.insert(key, value);
    }
}

impl<K: Ord + Clone> ValueMap for BTreeMap<K, Value> {
    type Key = K;
    fn entries(&self) -> impl Iterator<Item = (&K, &Value)> {
        self.iter()
    }
    fn value_mut(&mut self, key: &K) -> Option<&mut Value> {
        self.get_mut(key)
    }
    fn add(&mut self, key: K, value: Value) {
        self.insert(key, value);
    }
}

/// How many forks a process key remembers.
pub const MAX_FORK_DEPTH: usize = 4;

/// The key of the process that takes `side` at `fork`.
pub fn child_key(key: &ProcessKey, fork: ForkId, side: Side) -> ProcessKey {
    let mut new_key: ProcessKey = key.iter().copied().filter(|(f, _)| *f != fork).collect();
    new_key.push((fork, side));
    if new_key.len() > MAX_FORK_DEPTH {
        new_key.remove(0);
    }
    new_key
}

/// The heap key of a place that is not a plain local: `g:name` or `l:N`, then `.field` and
/// `[]` for each projection (a dereference adds nothing). Inlined: most places asked about
/// are plain locals, and the call to build a key cost more than the check.
#[inline]
pub fn heap_key(place: &Place) -> Option<String> {
    is_heap_place(place).then(|| build_heap_key(place))
}

/// `heap_key` of a place that has one.
fn build_heap_key(place: &Place) -> String {
    let mut key = root_key(&place.base);
    for projection in &place.projections {
        match projection {
            Projection::Field(field) => {
                key.push('.');
                key.push_str(field);
            }
            Projection::Index => key.push_str("[]"),
            Projection::Deref => {}
        }
    }
    key
}

/// Whether a place has a heap key (`heap_key` is `Some`), without building the key.
#[inline]
pub fn is_heap_place(place: &Place) -> bool {
    !(place.projections.is_empty() && matches!(place.base, PlaceBase::Local(_)))
}

/// The heap key of a place's base alone: `l:3`, `g:zh`. Built by hand: `format!` costs
/// several times as much, and keys are built for most statements that touch a place.
pub fn root_key(base: &PlaceBase) -> String {
    match base {
        PlaceBase::Local(local) => local_key(local.0 as usize),
        PlaceBase::Global(name) => global_key(name),
    }
}

/// `g:name`, the heap key of a global.
pub fn global_key(name: &str) -> String {
    ["g:", name].concat()
}

/// `l:N`, the heap key of local number `index`.
pub fn local_key(index: usize) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = index;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut key = String::with_capacity(2 + digits.len() - start);
    key.push_str("l:");
    key.extend(digits[start..].iter().map(|digit| char::from(*digit)));
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::RunKind;

    /// States that differ from the default in one field each, and a few in several.
    fn varied_states() -> Vec<ProcState> {
        let conn = ConnId(1);
        let event = RunEvent { span: Span::new(1, 2), kind: RunKind::Loop };
        let value = Value { conns: ConnSet::of(conn), counter: true, ..Value::default() };
        let tagged =
            Value { tag: Some("redis::Client".into()), fork: Some(ForkId(0)), ..value.clone() };
        let mut states = vec![ProcState::default(); 17];
        Rc::make_mut(&mut states[1].values).insert(LocalId(0), value.clone());
        Rc::make_mut(&mut states[2].values).insert(LocalId(0), tagged.clone());
        Rc::make_mut(&mut states[3].heap)
            .insert("g:zh".into(), Value { alias: Some("l:0.state".into()), ..value });
        states[4].opened.insert(conn);
        states[5].closed.insert(conn);
        states[6].cloexec.insert(conn);
        states[6].opened.insert(conn);
        states[7].obligations.insert((ForkId(0), conn), Obligation::new(false));
        states[8].obligations.insert(
            (ForkId(0), conn),
            Obligation {
                resolved: true,
                ran: Some(event),
                used: Some(Span::new(3, 4)),
                closed: true,
            },
        );
        states[9].threads.insert(ThreadId::Entry);
        (states[10].ran, states[10].ran_since_fork) = (true, true);
        states[11].closed_all = true;
        states[12].threads_lost.insert(ForkId(0), (ThreadId::Entry, true));
        states[13].used.insert(conn);
        states[13].wandered.insert(ForkId(0));
        states[13].listening.insert(conn);
        states[14].close(&ConnSet::of(conn), true, false);
        states[15].closed_since_fork.insert(conn);
        states[16].close(&ConnSet::of(conn), true, true);
        states
    }

    #[test]
    fn root_keys_match_their_formatted_spelling() {
        for index in [0, 7, 10, 99, 12345, usize::MAX] {
            assert_eq!(local_key(index), format!("l:{index}"));
        }
        assert_eq!(root_key(&PlaceBase::Global("zh".into())), "g:zh");
        assert_eq!(root_key(&PlaceBase::Local(LocalId(31))), "l:31");
    }

    /// `join` says it changed the state exactly when the state is not what it was: the
    /// fixpoint stops on its word.
    #[test]
    fn a_join_reports_a_change_exactly_when_there_is_one() {
        let states = varied_states();
        for (i, mine) in states.iter().enumerate() {
            for (j, theirs) in states.iter().enumerate() {
                let mut joined = mine.clone();
                let changed = joined.join(theirs);
                assert_eq!(changed, joined != *mine, "joining state {j} into state {i}");
                let mut again = joined.clone();
                assert!(!again.join(theirs), "joining state {j} twice into state {i}");
            }
        }
    }
}
