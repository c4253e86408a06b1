//! The fixpoint over one function's CFG, and the transfer of each statement.
//!
//! The fixpoint runs first without reporting; then one pass over every reachable block with
//! its final entry state reports what leaks, so a finding never depends on iteration order.

use std::collections::{BTreeMap, BTreeSet};

mod calls;
mod report;

use super::fork_side::eval_cond;
use super::state::{
    child_key, join_flow, ConnId, Flow, ForkId, Obligation, ProcState, ProcessKey, ThreadId, Value,
};
use super::{
    Connection, ExecLeak, Facts, ForkLeak, RunEvent, RunKind, SharedUse, Side, ThreadFork,
};
use crate::catalog::{ApiModel, Catalog, Effect};
use crate::ir::{
    Block, BlockId, Call, Callee, Function, Language, Operand, Place, PlaceBase, Rvalue, Span,
    StmtKind, Terminator,
};

pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub language: Language,
    pub globs: &'a [String],
}

/// Iterations per block before the fixpoint gives up (a safety net: the lattice is finite).
const MAX_VISITS_PER_BLOCK: usize = 64;

pub fn analyze_function(function: &Function, context: &Context) -> Facts {
    let mut analysis = FunctionAnalysis::new(function, context);
    let entry_states = analysis.fixpoint();
    analysis.reporting = true;
    for (index, flow) in entry_states.iter().enumerate() {
        analysis.transfer_block(BlockId(index as u32), flow.clone());
    }
    analysis.report_endless_loops(&entry_states);
    analysis.into_facts()
}

/// A call site the analysis gave an identity to.
struct Site {
    span: Span,
    callee: String,
    model: Option<ApiModel>,
}

struct FunctionAnalysis<'a> {
    function: &'a Function,
    context: &'a Context<'a>,
    /// Connections and forks by call span, numbered on first sight.
    conn_sites: Vec<Site>,
    fork_sites: Vec<Site>,
    /// The variable each connection was first stored in, for messages.
    conn_names: BTreeMap<ConnId, String>,
    /// Report pass: (block, process) nodes where the process ends, and the edges along
    /// which the same process goes on.
    ended: BTreeSet<Node>,
    same_process_edges: BTreeMap<Node, BTreeSet<Node>>,
    reporting: bool,
    leaks: BTreeMap<(ForkId, ConnId), BTreeMap<Side, RunEvent>>,
    /// FDL003: (exec call, connection) → the exec's callee.
    exec_leaks: BTreeMap<(Span, ConnId), String>,
    /// Connections shut down after a fork: a shutdown ends them for both processes.
    shut_down: BTreeSet<(ForkId, ConnId)>,
    /// Calls that started threads, numbered on first sight.
    thread_sites: Vec<Site>,
    /// FDL002: the first use of a connection by each process after a fork.
    uses: BTreeMap<(ForkId, ConnId), BTreeMap<Side, Span>>,
    /// FDL004: fork call span → (its callee, the first thread running at it).
    thread_forks: BTreeMap<Span, (String, ThreadId)>,
}

impl<'a> FunctionAnalysis<'a> {
    fn new(function: &'a Function, context: &'a Context<'a>) -> Self {
        FunctionAnalysis {
            function,
            context,
            conn_sites: Vec::new(),
            fork_sites: Vec::new(),
            conn_names: BTreeMap::new(),
            ended: BTreeSet::new(),
            same_process_edges: BTreeMap::new(),
            reporting: false,
            leaks: BTreeMap::new(),
            shut_down: BTreeSet::new(),
            exec_leaks: BTreeMap::new(),
            thread_sites: Vec::new(),
            uses: BTreeMap::new(),
            thread_forks: BTreeMap::new(),
        }
    }

    fn fixpoint(&mut self) -> Vec<Flow> {
        let blocks = &self.function.blocks;
        let mut entry: Vec<Flow> = vec![Flow::new(); blocks.len()];
        if blocks.is_empty() {
            return entry;
        }
        entry[0].insert(ProcessKey::new(), self.entry_state());
        let mut visits = vec![0usize; blocks.len()];
        let mut worklist: BTreeSet<u32> = BTreeSet::from([0]);
        while let Some(index) = worklist.pop_first() {
            let slot = index as usize;
            visits[slot] += 1;
            if visits[slot] > MAX_VISITS_PER_BLOCK {
                continue;
            }
            for (successor, key, state) in self.transfer_block(BlockId(index), entry[slot].clone())
            {
                let Some(target) = entry.get_mut(successor.0 as usize) else { continue };
                if join_flow(target, key, state) {
                    worklist.insert(successor.0);
                }
            }
        }
        entry
    }

    /// Threads an attribute starts before the body runs (`#[tokio::main]`).
    fn entry_state(&self) -> ProcState {
        let mut state = ProcState::default();
        let (catalog, language) = (self.context.catalog, self.context.language);
        let starts_threads = self.function.attributes.iter().any(|attribute| {
            catalog.attribute(language, attribute).is_some_and(|m| m.effect == Effect::SpawnThread)
        });
        if starts_threads {
            state.threads.insert(ThreadId::Entry);
        }
        state
    }

    /// Runs a block for every process that reaches it; returns the states leaving it.
    fn transfer_block(&mut self, id: BlockId, flow: Flow) -> Vec<(BlockId, ProcessKey, ProcState)> {
        let Some(block) = self.function.blocks.get(id.0 as usize) else { return Vec::new() };
        let mut outgoing = Vec::new();
        for (key, mut state) in flow {
            if block.loop_head {
                state.mark_running(&RunEvent { span: block.span, kind: RunKind::Loop });
            }
            let node = (id, key.clone());
            let mut processes = vec![(key, state, true)];
            for stmt in &block.stmts {
                let mut next = Vec::new();
                for (key, state, same) in processes {
                    let results = self.step(key, state, &stmt.kind);
                    if self.reporting && same && results.is_empty() {
                        self.ended.insert(node.clone());
                    }
                    next.extend(
                        results.into_iter().map(|(k, s, same_after)| (k, s, same && same_after)),
                    );
                }
                processes = next;
            }
            for (key, state, same) in processes {
                let start = outgoing.len();
                let ends = self.terminate(block, key, state, &mut outgoing);
                if self.reporting && same && ends {
                    self.ended.insert(node.clone());
                }
                if self.reporting && same {
                    for (successor, key, _) in &outgoing[start..] {
                        self.same_process_edges
                            .entry(node.clone())
                            .or_default()
                            .insert((*successor, key.clone()));
                    }
                }
            }
        }
        outgoing
    }

    fn terminate(
        &mut self,
        block: &Block,
        key: ProcessKey,
        mut state: ProcState,
        outgoing: &mut Vec<(BlockId, ProcessKey, ProcState)>,
    ) -> bool {
        match &block.term {
            Terminator::Goto(target) => outgoing.push((*target, key, state)),
            Terminator::Branch { cond, then, otherwise, .. } => {
                match eval_cond(cond, &key, &state) {
                    Some(true) => outgoing.push((*then, key, state)),
                    Some(false) => outgoing.push((*otherwise, key, state)),
                    None => {
                        outgoing.push((*then, key.clone(), state.clone()));
                        outgoing.push((*otherwise, key, state));
                    }
                }
            }
            Terminator::Return { value, span } => {
                if let Some(value) = value {
                    let conns = self.operand_value(value, &state).conns;
                    state.resolve(&conns);
                }
                if self.function.name == "main" {
                    self.end_process(&key, &mut state);
                } else {
                    let event = RunEvent { span: *span, kind: RunKind::Return };
                    state.mark_running(&event);
                    self.report_unresolved(&key, &state);
                }
                return true;
            }
            Terminator::Unreachable => return true,
        }
        false
    }

    /// One statement in one process: zero (it ended), one or two (a fork) processes after.
    fn step(&mut self, key: ProcessKey, mut state: ProcState, kind: &StmtKind) -> Vec<Process> {
        match kind {
            StmtKind::Assign { target, value } => {
                let Some(result) = self.rvalue(&key, &mut state, value) else { return Vec::new() };
                match result {
                    Outcome::Value(value) => self.assign(&mut state, target, value),
                    Outcome::Fork(fork) => {
                        return self.split(&key, &state, fork, |this, state| {
                            this.assign(
                                state,
                                target,
                                Value { fork: Some(fork), ..Value::default() },
                            )
                        })
                    }
                }
                vec![(key, state, true)]
            }
            StmtKind::Eval(value) => match self.rvalue(&key, &mut state, value) {
                None => Vec::new(),
                Some(Outcome::Fork(fork)) => self.split(&key, &state, fork, |_, _| {}),
                Some(Outcome::Value(_)) => vec![(key, state, true)],
            },
            StmtKind::ScopeEnd(local) => {
                self.scope_end(&key, &mut state, *local);
                vec![(key, state, true)]
            }
        }
    }

    fn assign(&mut self, state: &mut ProcState, target: &Place, value: Value) {
        match (&target.base, target.projections.is_empty()) {
            (PlaceBase::Local(local), true) => {
                self.name_connections(*local, &value);
                state.values.insert(*local, value);
            }
            // Stored into a field, through a pointer, or in a global: it escapes, and whoever
            // holds the structure now owns it.
            _ => state.resolve(&value.conns),
        }
    }

    fn name_connections(&mut self, local: crate::ir::LocalId, value: &Value) {
        let Some(variable) = self.function.locals.get(local.0 as usize) else { return };
        if variable.name.starts_with('$') {
            return;
        }
        for conn in &value.conns {
            self.conn_names.entry(*conn).or_insert_with(|| variable.name.clone());
        }
    }

    fn rvalue(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        value: &Rvalue,
    ) -> Option<Outcome> {
        match value {
            Rvalue::Use(operand) => {
                let value = self.operand_value(operand, state);
                self.consume_temporaries(state, std::slice::from_ref(operand));
                Some(Outcome::Value(value))
            }
            Rvalue::Call(call) => {
                let outcome = self.call(key, state, call);
                self.consume_temporaries(state, &call.args);
                outcome
            }
        }
    }

    /// A frontend's temporary (`$0`) is read once: what it held moves on to its reader, so it
    /// no longer keeps a connection "held elsewhere" when a named binding goes out of scope.
    fn consume_temporaries(&self, state: &mut ProcState, operands: &[Operand]) {
        for operand in operands {
            let Operand::Place(Place { base: PlaceBase::Local(local), projections }) = operand
            else {
                continue;
            };
            let is_temporary =
                self.function.locals.get(local.0 as usize).is_some_and(|l| l.name.starts_with('$'));
            if is_temporary && projections.is_empty() {
                state.values.remove(local);
            }
        }
    }

    /// The process ends here: a connection it still owes is fine only if nothing ran since the
    /// fork (it ended "at once").
    fn end_process(&mut self, key: &ProcessKey, state: &mut ProcState) {
        for obligation in state.obligations.values_mut() {
            if obligation.ran.is_none() {
                obligation.resolved = true;
            }
        }
        self.report_unresolved(key, state);
    }

    /// The binding goes out of scope: Rust drops what only it still holds.
    fn scope_end(&mut self, key: &ProcessKey, state: &mut ProcState, local: crate::ir::LocalId) {
        let Some(value) = state.values.remove(&local) else { return };
        let held_elsewhere: BTreeSet<ConnId> =
            state.values.values().flat_map(|v| v.conns.iter().copied()).collect();
        let dropped: BTreeSet<ConnId> = value.conns.difference(&held_elsewhere).copied().collect();
        if dropped.is_empty() {
            return;
        }
        // A drop after the process went on running comes too late: report, then settle.
        let mut late = state.clone();
        late.obligations.retain(|(_, conn), o| dropped.contains(conn) && o.ran.is_some());
        self.report_unresolved(key, &late);
        state.resolve(&dropped);
        state.closed.extend(dropped);
    }

    fn operand_value(&self, operand: &Operand, state: &ProcState) -> Value {
        match operand {
            Operand::Place(place) | Operand::Ref(place) => match place.base {
                PlaceBase::Local(local) if place.projections.is_empty() => state.value_of(local),
                // Through a field or a pointer: the seed's `close(*(int *)zh)` reaches the
                // handle's descriptor through its first field.
                PlaceBase::Local(local) => {
                    Value { conns: state.value_of(local).conns, ..Value::default() }
                }
                PlaceBase::Global(_) => Value::default(),
            },
            Operand::Expr(parts) => {
                let values: Vec<Value> =
                    parts.iter().map(|part| self.operand_value(part, state)).collect();
                let conns: BTreeSet<ConnId> =
                    values.iter().flat_map(|v| v.conns.iter().copied()).collect();
                // Arithmetic on numbers: `fd + 1`, `3..1024`.
                let counter = conns.is_empty() && values.iter().all(|v| v.counter);
                Value { conns, counter, ..Value::default() }
            }
            Operand::Int(_) => Value { counter: true, ..Value::default() },
            Operand::Str(_) | Operand::Const(_) | Operand::Unknown => Value::default(),
        }
    }
}
/// A process after a statement, and whether it is the same process as before (false for the
/// child a fork creates).
type Process = (ProcessKey, ProcState, bool);

/// A block as reached by one process.
type Node = (BlockId, ProcessKey);

enum Outcome {
    Value(Value),
    Fork(ForkId),
}

fn site_index(sites: &mut Vec<Site>, call: &Call, model: Option<ApiModel>) -> u32 {
    if let Some(index) = sites.iter().position(|site| site.span == call.span) {
        return index as u32;
    }
    sites.push(Site { span: call.span, callee: callee_name(call), model });
    (sites.len() - 1) as u32
}

fn callee_name(call: &Call) -> String {
    match &call.callee {
        Callee::Path(path) => path.clone(),
        Callee::Method(name) => name.clone(),
        Callee::Unknown => "a call through a pointer".into(),
    }
}
