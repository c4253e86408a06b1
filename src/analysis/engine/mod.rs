//! The fixpoint over one function's CFG, and the transfer of each statement.
//!
//! The fixpoint runs first without reporting; then one pass over every reachable block with
//! its final entry state reports what leaks, so a finding never depends on iteration order.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::ops::Bound;
use std::rc::Rc;

mod acyclic;
mod calls;
mod report;
mod summarise;

use super::flow::Flow;
use super::fork_side::{eval_cond, tested_fork};
use super::open_result;
use super::state::{
    child_key, global_key, heap_key, is_heap_place, local_key, root_key, ConnId, ConnSet, ForkId,
    Obligation, ProcState, ProcessKey, ThreadId, Value,
};
use super::summary::{ForkSummary, OpenOrigin, Root, Summary, SummaryView};
use super::{
    CloseSite, Connection, ExecLeak, Facts, ForkLeak, Located, RunEvent, RunKind, SharedUse, Side,
    ThreadFork,
};
use crate::catalog::{ApiModel, Catalog, Effect};
use crate::ir::{
    Block, BlockId, BranchEntry, Call, Callee, Cond, Function, Language, Operand, Pattern, Place,
    PlaceBase, Rvalue, Span, StmtKind, Terminator,
};
use acyclic::{acyclic_order, components, on_cycles, Component};

pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub language: Language,
    pub globs: &'a [String],
    /// The other functions of the run, and which file this one is in.
    pub summaries: &'a SummaryView<'a>,
    pub file: usize,
}

/// Iterations per block before the fixpoint gives up (a safety net: the lattice is finite).
const MAX_VISITS_PER_BLOCK: usize = 64;

/// Analyses one function: what it leaks, its summary for its callers, and how many
/// statements it ran through the transfer (one per statement per process per visit).
pub fn analyze_function(function: &Function, context: &Context) -> (Facts, Summary, usize) {
    let strategy = match acyclic_order(function) {
        Some(order) => Strategy::OnePass(order),
        None => Strategy::ByComponents(components(function)),
    };
    analyze_function_in(function, context, strategy)
}

/// How a function's blocks are run.
enum Strategy {
    /// An acyclic CFG: once each, in this order, reporting as they go.
    OnePass(Vec<usize>),
    /// Component by component: a block outside every loop once, a loop to a fixpoint and then
    /// once more to report.
    ByComponents(Vec<Component>),
    /// The whole function to a fixpoint, then every block once more to report: what the
    /// others must agree with.
    #[cfg(test)]
    Fixpoint,
}

fn analyze_function_in(
    function: &Function,
    context: &Context,
    strategy: Strategy,
) -> (Facts, Summary, usize) {
    let mut analysis = FunctionAnalysis::new(function, context);
    match strategy {
        Strategy::OnePass(order) => {
            analysis.reporting = true;
            analysis.acyclic = true;
            analysis.single_pass(&order);
        }
        Strategy::ByComponents(components) => {
            analysis.on_cycle = on_cycles(&components, function.blocks.len());
            let entry_states = analysis.by_components(&components);
            analysis.report_endless_loops(&entry_states);
        }
        #[cfg(test)]
        Strategy::Fixpoint => {
            analysis.on_cycle = on_cycles(&components(function), function.blocks.len());
            let entry_states = analysis.fixpoint();
            analysis.reporting = true;
            for (index, flow) in entry_states.iter().enumerate() {
                analysis.report_block(BlockId(index as u32), flow.clone());
            }
            analysis.report_endless_loops(&entry_states);
        }
    }
    let summary = analysis.summary();
    let statements = analysis.statements_visited;
    (analysis.into_facts(), summary, statements)
}

/// A call site the analysis gave an identity to.
struct Site<'a> {
    span: Span,
    callee: String,
    model: Option<&'a ApiModel>,
    /// A caller's value as the function sees it: a parameter or a global.
    symbol: Option<Root>,
    /// A connection opened in another function and handed out by it.
    origin: Option<OpenOrigin>,
    /// A call to a function that forks inside, and the call (for its arguments).
    fork_summary: Option<ForkSummary>,
    fork_call: Option<Call>,
    /// The function that forks also starts a thread: the side that returns from it has one.
    threads_after_fork: bool,
    /// The opening call's flags argument, when the model names one.
    flags_span: Option<Span>,
}

impl<'a> Site<'a> {
    fn new(span: Span, callee: String, model: Option<&'a ApiModel>) -> Self {
        Site {
            span,
            callee,
            model,
            symbol: None,
            origin: None,
            fork_summary: None,
            fork_call: None,
            threads_after_fork: false,
            flags_span: None,
        }
    }
}

struct FunctionAnalysis<'a> {
    function: &'a Function,
    context: &'a Context<'a>,
    /// Connections and forks by call span, numbered on first sight.
    conn_sites: Vec<Site<'a>>,
    fork_sites: Vec<Site<'a>>,
    /// The variable each connection was first stored in, for messages.
    conn_names: BTreeMap<ConnId, String>,
    /// Connections stored in a global or a field on some path.
    stored: ConnSet,
    /// Report pass: (block, process) nodes where the process ends, and the edges (from, to)
    /// along which the same process goes on; kept as they come, sorted once when read.
    ended: Vec<Node>,
    same_process_edges: Vec<(Node, Node)>,
    reporting: bool,
    /// The function runs in one pass (its CFG has no cycle).
    acyclic: bool,
    /// The blocks on a cycle of the CFG (empty when acyclic), and whether the block being run
    /// is one of them.
    on_cycle: Vec<bool>,
    in_loop: bool,
    leaks: BTreeMap<(ForkId, ConnId), BTreeMap<Side, RunEvent>>,
    /// FDL003: (exec call, connection) → the exec's callee.
    exec_leaks: BTreeMap<(Span, ConnId), String>,
    /// Connections shut down after a fork: a shutdown ends them for both processes.
    shut_down: BTreeSet<(ForkId, ConnId)>,
    /// Calls that started threads, numbered on first sight.
    thread_sites: Vec<Site<'a>>,
    /// FDL002: the first use of a connection by each process after a fork.
    uses: BTreeMap<(ForkId, ConnId), BTreeMap<Side, Span>>,
    /// The sides that used a connection they inherited, on some path: its owners.
    owners: BTreeSet<(ForkId, ConnId, Side)>,
    /// FDL004: fork call span → (its callee, the first thread running at it).
    thread_forks: BTreeMap<Span, (String, ThreadId, Option<Located>)>,
    /// For fix-its: where each side's branch begins, and where a side closes a connection.
    branch_entries: BTreeMap<(ForkId, Side), BranchEntry>,
    closes: BTreeMap<(ForkId, ConnId), BTreeMap<Side, CloseSite>>,
    /// The statement being run is a call of its own (`close(fd);`), not part of a larger one.
    call_statement: bool,
    /// Report pass, for the summary: the states that return, and the processes that end
    /// (with whether they ran since the fork and closed everything).
    returns: Vec<(ProcessKey, ProcState, ConnSet)>,
    process_ends: Vec<(ProcessKey, ProcState)>,
    /// Report pass, for the summary: every connection used or closed on some path, wherever
    /// the path goes (a loop that never ends included).
    seen_used: ConnSet,
    seen_closed: ConnSet,
    seen_shut_down: ConnSet,
    /// Work done, for the complexity tests: statements run through `step`, and the edges
    /// walked back to find which loops can end.
    statements_visited: usize,
    /// Buffers a block's run reuses, rather than allocate two vectors per block and process.
    scratch_processes: Vec<Process>,
    scratch_outgoing: Vec<Outgoing>,
}

/// A state leaving a block for a successor.
type Outgoing = (BlockId, ProcessKey, Box<ProcState>);

impl<'a> FunctionAnalysis<'a> {
    fn new(function: &'a Function, context: &'a Context<'a>) -> Self {
        FunctionAnalysis {
            function,
            context,
            conn_sites: Vec::new(),
            fork_sites: Vec::new(),
            conn_names: BTreeMap::new(),
            stored: ConnSet::new(),
            ended: Vec::new(),
            same_process_edges: Vec::new(),
            reporting: false,
            acyclic: false,
            on_cycle: Vec::new(),
            in_loop: false,
            leaks: BTreeMap::new(),
            shut_down: BTreeSet::new(),
            exec_leaks: BTreeMap::new(),
            thread_sites: Vec::new(),
            uses: BTreeMap::new(),
            owners: BTreeSet::new(),
            thread_forks: BTreeMap::new(),
            branch_entries: BTreeMap::new(),
            closes: BTreeMap::new(),
            call_statement: false,
            returns: Vec::new(),
            process_ends: Vec::new(),
            seen_used: ConnSet::new(),
            seen_closed: ConnSet::new(),
            seen_shut_down: ConnSet::new(),
            statements_visited: 0,
            scratch_processes: Vec::new(),
            scratch_outgoing: Vec::new(),
        }
    }

    /// Runs the blocks component by component; returns the final entry states of the loop
    /// heads (the others' are used up), for the report of endless loops.
    fn by_components(&mut self, components: &[Component]) -> Vec<Flow> {
        let mut entry = self.entry_flows();
        let mut visits = vec![0usize; entry.len()];
        // One worklist for every loop: it is empty again once a loop settles, and sizing one
        // to the function per loop would cost blocks times loops.
        let mut worklist = Worklist::new(entry.len());
        for component in components {
            if component.looped {
                self.reporting = false;
                self.settle(&mut entry, &component.blocks, &mut visits, &mut worklist);
                self.reporting = true;
                for &index in &component.blocks {
                    // Only a loop head's entry is read again (`report_endless_loops`).
                    let flow = match self.function.blocks[index].loop_head {
                        true => entry[index].clone(),
                        false => std::mem::take(&mut entry[index]),
                    };
                    self.report_block(BlockId(index as u32), flow);
                }
            } else {
                self.reporting = true;
                self.run_once(&mut entry, component.blocks[0]);
            }
        }
        entry
    }

    /// The fixpoint of one loop's blocks (`members`, sorted), whose predecessors outside it
    /// are final; what leaves the loop is joined into the blocks it reaches.
    fn settle(
        &mut self,
        entry: &mut [Flow],
        members: &[usize],
        visits: &mut [usize],
        worklist: &mut Worklist,
    ) {
        for &index in members.iter().filter(|&&index| !entry[index].is_empty()) {
            worklist.insert(index as u32);
        }
        while let Some(index) = worklist.pop_first() {
            let slot = index as usize;
            visits[slot] += 1;
            if visits[slot] > MAX_VISITS_PER_BLOCK {
                continue;
            }
            let mut outgoing = std::mem::take(&mut self.scratch_outgoing);
            self.transfer_into(BlockId(index), entry[slot].clone(), &mut outgoing);
            for (successor, key, state) in outgoing.drain(..) {
                let Some(target) = entry.get_mut(successor.0 as usize) else { continue };
                let inside = members.binary_search(&(successor.0 as usize)).is_ok();
                if target.join(key, state) && inside {
                    worklist.insert(successor.0);
                }
            }
            self.scratch_outgoing = outgoing;
        }
    }

    /// The whole function to a fixpoint: the reference the other strategies are tested
    /// against.
    #[cfg(test)]
    fn fixpoint(&mut self) -> Vec<Flow> {
        let mut entry = self.entry_flows();
        let every_block: Vec<usize> = (0..entry.len()).collect();
        let mut visits = vec![0; entry.len()];
        let mut worklist = Worklist::new(entry.len());
        self.settle(&mut entry, &every_block, &mut visits, &mut worklist);
        entry
    }

    /// An acyclic CFG needs no fixpoint: in `order`, every block runs once, after all its
    /// predecessors, with its final entry state, reporting as it goes (the fixpoint and then
    /// the report pass would run each block twice).
    fn single_pass(&mut self, order: &[usize]) {
        let mut entry = self.entry_flows();
        for &index in order {
            self.run_once(&mut entry, index);
        }
    }

    /// Every block's entry, empty but the first block's: the function's entry state.
    fn entry_flows(&mut self) -> Vec<Flow> {
        let mut entry: Vec<Flow> = Vec::new();
        entry.resize_with(self.function.blocks.len(), Flow::new);
        if let Some(first) = entry.first_mut() {
            *first = Flow::of(ProcessKey::new(), self.entry_state());
        }
        entry
    }

    /// Runs a block whose entry is final, once, and joins what leaves it into its successors.
    fn run_once(&mut self, entry: &mut [Flow], index: usize) {
        let flow = std::mem::take(&mut entry[index]);
        let mut outgoing = std::mem::take(&mut self.scratch_outgoing);
        self.transfer_into(BlockId(index as u32), flow, &mut outgoing);
        for (successor, key, state) in outgoing.drain(..) {
            if let Some(target) = entry.get_mut(successor.0 as usize) {
                target.join(key, state);
            }
        }
        self.scratch_outgoing = outgoing;
    }

    /// Threads an attribute starts before the body runs (`#[tokio::main]`); the parameters and
    /// globals hold the caller's values, symbolically.
    fn entry_state(&mut self) -> ProcState {
        let mut state = ProcState::default();
        self.bind_symbols(&mut state);
        let (catalog, language) = (self.context.catalog, self.context.language);
        let starts_threads = self.function.attributes.iter().any(|attribute| {
            catalog.attribute(language, attribute).is_some_and(|m| m.effect == Effect::SpawnThread)
        });
        if starts_threads {
            state.threads.insert(ThreadId::Entry);
        }
        state
    }

    /// Whether the report pass records where processes end, for `report_endless_loops`: only
    /// a CFG with a cycle can hold a loop that never ends.
    fn tracks_ends(&self) -> bool {
        self.reporting && !self.acyclic
    }

    /// Runs a block for what it reports only: what leaves it was joined into its successors
    /// while the fixpoint settled.
    fn report_block(&mut self, id: BlockId, flow: Flow) {
        let mut outgoing = std::mem::take(&mut self.scratch_outgoing);
        self.transfer_into(id, flow, &mut outgoing);
        outgoing.clear();
        self.scratch_outgoing = outgoing;
    }

    /// Runs a block for every process that reaches it, the states leaving it into `outgoing`
    /// (empty).
    fn transfer_into(&mut self, id: BlockId, flow: Flow, outgoing: &mut Vec<Outgoing>) {
        let Some(block) = self.function.blocks.get(id.0 as usize) else { return };
        self.in_loop = self.on_cycle.get(id.0 as usize).copied().unwrap_or(false);
        let mut processes = std::mem::take(&mut self.scratch_processes);
        for (key, mut state) in flow {
            if block.loop_head {
                state.mark_running(&RunEvent { span: block.span, kind: RunKind::Loop });
            }
            self.report_lost_threads(&state);
            let node = (id, key.clone());
            processes.push((key, state, true));
            for stmt in &block.stmts {
                self.statements_visited += processes.len();
                self.step_all(&mut processes, &node, stmt);
            }
            for (key, state, same) in processes.drain(..) {
                let start = outgoing.len();
                let ends = self.terminate(block, key, state, outgoing);
                if self.tracks_ends() && same && ends {
                    self.ended.push(node.clone());
                }
                if self.tracks_ends() && same {
                    for (successor, key, _) in &outgoing[start..] {
                        let edge = (node.clone(), (*successor, key.clone()));
                        self.same_process_edges.push(edge);
                    }
                }
            }
        }
        self.scratch_processes = processes;
    }

    /// Runs one statement in every process, in place; a process that ends leaves the list, a
    /// fork puts its two processes where the one was.
    fn step_all(&mut self, processes: &mut Vec<Process>, node: &Node, stmt: &crate::ir::Stmt) {
        let mut index = 0;
        while index < processes.len() {
            let (key, state, same) = &mut processes[index];
            let same = *same;
            match self.step(key, state, &stmt.kind, stmt.span) {
                Step::On => {
                    self.report_lost_threads(state);
                    index += 1;
                }
                Step::Forked(results) if !results.is_empty() => {
                    for (_, state, _) in &results {
                        self.report_lost_threads(state);
                    }
                    let count = results.len();
                    let results =
                        results.into_iter().map(|(k, s, same_after)| (k, s, same && same_after));
                    processes.splice(index..=index, results);
                    index += count;
                }
                Step::Ended | Step::Forked(_) => {
                    if self.tracks_ends() && same {
                        self.ended.push(node.clone());
                    }
                    processes.remove(index);
                }
            }
        }
    }

    fn terminate(
        &mut self,
        block: &Block,
        key: ProcessKey,
        mut state: Box<ProcState>,
        outgoing: &mut Vec<Outgoing>,
    ) -> bool {
        match &block.term {
            Terminator::Goto(target) => outgoing.push((*target, key, state)),
            Terminator::Branch { cond, then, otherwise, .. } => {
                let taken = |this: &Self, mut state: Box<ProcState>, branch: bool| {
                    if branch {
                        this.bind_pattern(cond, &mut state);
                    }
                    this.forget_failed_open(cond, branch, &mut state);
                    state
                };
                match eval_cond(cond, &key, &state) {
                    Some(true) => {
                        self.note_branch_entry(cond, &key, &state, true, *then);
                        outgoing.push((*then, key, taken(self, state, true)))
                    }
                    Some(false) => {
                        self.note_branch_entry(cond, &key, &state, false, *otherwise);
                        outgoing.push((*otherwise, key, taken(self, state, false)))
                    }
                    None => {
                        state.wandered.extend(key.iter().map(|(fork, _)| *fork));
                        outgoing.push((*then, key.clone(), taken(self, state.clone(), true)));
                        outgoing.push((*otherwise, key, taken(self, state, false)));
                    }
                }
            }
            Terminator::Return { value, span } => {
                // `return fd;` hands the connection out; `return zk == NULL ? -1 : 0;` does not.
                // A struct returned whole hands out what its fields hold.
                let returned = match value {
                    Some(operand @ Operand::Place(_)) => self.reachable(operand, &state),
                    _ => ConnSet::new(),
                };
                state.resolve(&returned);
                // What `*out` or a global holds is the caller's now, as a returned value is.
                let handed_over = self.caller_visible(&state);
                state.resolve(&handed_over);
                if self.function.name == "main" {
                    if self.reporting {
                        self.returns.push((key.clone(), (*state).clone(), returned));
                    }
                    self.end_process(&key, &mut state);
                } else {
                    self.return_to_caller(key, state, *span, returned);
                }
                return true;
            }
            Terminator::Unreachable => return true,
        }
        false
    }

    /// The process returns to the caller: the summary keeps its state as it returns, and
    /// what it still owes it owes from here.
    fn return_to_caller(
        &mut self,
        key: ProcessKey,
        mut state: Box<ProcState>,
        span: Span,
        returned: ConnSet,
    ) {
        // Owing nothing, it has nothing to report: the summary takes the state itself, no copy.
        if state.obligations.is_empty() && state.threads_lost.is_empty() {
            if self.reporting {
                self.returns.push((key, *state, returned));
            }
            return;
        }
        if self.reporting {
            self.returns.push((key.clone(), (*state).clone(), returned));
        }
        state.mark_running(&RunEvent { span, kind: RunKind::Return });
        self.report_lost_threads(&state);
        self.report_unresolved(&key, &state);
    }

    /// One statement in one process, which it changes in place unless it ends or forks.
    fn step(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        kind: &StmtKind,
        span: Span,
    ) -> Step {
        self.call_statement = matches!(kind, StmtKind::Eval(Rvalue::Call(_)));
        match kind {
            StmtKind::Assign { target, value: rvalue } => {
                let Some(result) = self.rvalue(key, state, rvalue) else { return Step::Ended };
                match result {
                    Outcome::Value(value) => {
                        // A pointer stored away carries what its fields hold.
                        let mut stored = value.conns.clone();
                        if let Rvalue::Use(operand) = rvalue {
                            // `value` is what the operand held before its temporary was
                            // consumed: its fields are all the operand can add now.
                            stored.union_with(&self.reachable_from(operand, ConnSet::new(), state));
                        }
                        self.hand_over_if_kept(key, state, target, &stored, span);
                        let mut value = value;
                        if is_heap_place(target) {
                            value.conns = stored;
                        }
                        self.assign(state, target, value)
                    }
                    Outcome::Fork(fork) => {
                        return Step::Forked(self.split(key, state, fork, |this, state| {
                            this.assign(
                                state,
                                target,
                                Value { fork: Some(fork), ..Value::default() },
                            )
                        }))
                    }
                }
                Step::On
            }
            StmtKind::Eval(value) => match self.rvalue(key, state, value) {
                None => Step::Ended,
                Some(Outcome::Fork(fork)) => Step::Forked(self.split(key, state, fork, |_, _| {})),
                Some(Outcome::Value(_)) => Step::On,
            },
            StmtKind::ScopeEnd(local) => {
                self.scope_end(key, state, *local);
                Step::On
            }
        }
    }

    fn assign(&mut self, state: &mut ProcState, target: &Place, value: Value) {
        match heap_key(target) {
            None => {
                let PlaceBase::Local(local) = target.base else { return };
                self.name_connections(local, &value);
                // Most locals hold nothing of interest: keeping them out keeps states small.
                if value.is_default() {
                    state.take_value(local);
                } else {
                    state.set_value(local, value);
                }
            }
            // A global or a field holds it now: the process still does.
            Some(key) => {
                let key = state.unalias(key);
                self.stored.extend(value.conns.iter());
                self.name_stored(&key, &value);
                Rc::make_mut(&mut state.heap).insert(key, value);
            }
        }
    }

    /// The connections held in globals and in what the parameters point to.
    fn caller_visible(&self, state: &ProcState) -> ConnSet {
        let mut conns = state.heap_under("g:");
        if state.heap.is_empty() {
            return conns;
        }
        for index in 0..self.function.param_count {
            conns.extend(state.heap_under(&local_key(index)));
        }
        conns
    }

    /// Storing a connection where the rest of the program finds it (a global, a field of the
    /// caller's struct: an event loop's table) hands it over to that code: the process keeps
    /// it to use it.
    fn hand_over_if_kept(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        target: &Place,
        conns: &ConnSet,
        span: Span,
    ) {
        let visible = match target.base {
            PlaceBase::Global(_) => true,
            PlaceBase::Local(local) => {
                !target.projections.is_empty() && (local.0 as usize) < self.function.param_count
            }
        };
        if visible && !conns.is_empty() {
            self.note_use(key, state, conns, span);
            state.resolve(conns);
        }
    }

    fn name_stored(&mut self, key: &str, value: &Value) {
        if value.conns.is_empty() {
            return;
        }
        let name = self.place_name(key);
        for conn in &value.conns {
            self.conn_names.entry(conn).or_insert_with(|| name.clone());
        }
    }

    /// A heap key as the source spells it, near enough: `g:zh` → `zh`, `l:0.fd` → `ctx.fd`.
    fn place_name(&self, key: &str) -> String {
        let rest = &key[2..];
        let split = rest.find(['.', '[']).unwrap_or(rest.len());
        let (root, path) = rest.split_at(split);
        let root = match (key.starts_with("l:"), root.parse::<usize>()) {
            (true, Ok(index)) => {
                self.function.locals.get(index).map(|l| l.name.clone()).unwrap_or_default()
            }
            _ => root.to_string(),
        };
        format!("{root}{path}")
    }

    fn name_connections(&mut self, local: crate::ir::LocalId, value: &Value) {
        let Some(variable) = self.function.locals.get(local.0 as usize) else { return };
        if variable.name.starts_with('$') {
            return;
        }
        for conn in &value.conns {
            self.conn_names.entry(conn).or_insert_with(|| variable.name.clone());
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
                // A helper that forks: each side's effects on the arguments are applied at the
                // split (`inside_forking_callee`), which reads and then consumes them.
                if !matches!(outcome, Some(Outcome::Fork(_))) {
                    self.consume_temporaries(state, &call.args);
                }
                outcome
            }
        }
    }

    /// A frontend's temporary (`$0`) is read once: what it held moves on to its reader, so it
    /// no longer keeps a connection "held elsewhere" when a named binding goes out of scope.
    pub(super) fn consume_temporaries(&self, state: &mut ProcState, operands: &[Operand]) {
        for operand in operands {
            let Operand::Place(Place { base: PlaceBase::Local(local), projections }) = operand
            else {
                continue;
            };
            let is_temporary =
                self.function.locals.get(local.0 as usize).is_some_and(|l| l.name.starts_with('$'));
            if is_temporary && projections.is_empty() {
                state.take_value(*local);
            }
        }
    }

    /// For fix-its: the branch a process takes on its fork's result, when the other process
    /// goes the other way and neither branched on anything else since the fork.
    fn note_branch_entry(
        &mut self,
        cond: &crate::ir::Cond,
        key: &ProcessKey,
        state: &ProcState,
        taken: bool,
        target: BlockId,
    ) {
        if !self.reporting {
            return;
        }
        let Some(fork) = tested_fork(cond, state) else { return };
        let Some(side) = key.iter().find(|(f, _)| *f == fork).map(|(_, side)| *side) else {
            return;
        };
        if state.wandered.contains(&fork) {
            return;
        }
        let other = match side {
            Side::Parent => Side::Child,
            Side::Child => Side::Parent,
        };
        if eval_cond(cond, &child_key(key, fork, other), state) != Some(!taken) {
            return;
        }
        let entry = self.function.blocks.get(target.0 as usize).and_then(|block| block.entry);
        if let Some(entry) = entry {
            self.branch_entries.entry((fork, side)).or_insert(entry);
        }
    }

    /// For fix-its: a side closes a connection with a call that is a statement of its own.
    fn note_close(&mut self, key: &ProcessKey, state: &ProcState, conns: &ConnSet, call: &Call) {
        let (true, true, Some(arg)) = (self.reporting, self.call_statement, call.arg_spans.first())
        else {
            return;
        };
        let site = CloseSite { call: call.span, arg: *arg };
        for (fork, conn) in state.obligations.keys() {
            let side = key.iter().find(|(f, _)| f == fork).map(|(_, side)| *side);
            if let (true, Some(side)) = (conns.contains(conn), side) {
                self.closes.entry((*fork, *conn)).or_default().entry(side).or_insert(site);
            }
        }
    }

    /// The process ends here: a connection it still owes is fine only if nothing ran since the
    /// fork (it ended "at once").
    fn end_process(&mut self, key: &ProcessKey, state: &mut ProcState) {
        self.report_lost_threads(state);
        if self.reporting {
            self.process_ends.push((key.clone(), state.clone()));
        }
        for obligation in state.obligations.values_mut() {
            if obligation.ran.is_none() {
                obligation.resolved = true;
            }
        }
        self.report_unresolved(key, state);
    }

    /// The binding goes out of scope: Rust drops what only it still holds.
    fn scope_end(&mut self, key: &ProcessKey, state: &mut ProcState, local: crate::ir::LocalId) {
        let mut value = state.take_value(local).unwrap_or_default();
        self.drop_threads(state, &value);
        // A struct going out of scope drops the connections in its fields.
        let root = if state.heap.is_empty() { String::new() } else { local_key(local.0 as usize) };
        let has_fields = !root.is_empty()
            && state
                .heap
                .range::<str, _>((Bound::Included(root.as_str()), Bound::Unbounded))
                .next()
                .is_some_and(|(place, _)| in_root(place, &root));
        if has_fields {
            value.conns.extend(state.heap_under(&root));
            Rc::make_mut(&mut state.heap).retain(|place, _| !in_root(place, &root));
        }
        if value.conns.is_empty() {
            return;
        }
        let held_elsewhere: ConnSet = state.values.values().flat_map(|v| v.conns.iter()).collect();
        let dropped: ConnSet = value.conns.difference(&held_elsewhere);
        if dropped.is_empty() {
            return;
        }
        // A drop after the process went on running comes too late: report, then settle.
        let mut late = state.clone();
        late.obligations.retain(|(_, conn), o| dropped.contains(conn) && o.ran.is_some());
        self.report_unresolved(key, &late);
        self.release(state, &dropped, false);
    }

    /// On the edge where the open a local holds failed (`fd < 0`, `zh == NULL`, `Err(_)`),
    /// there is no connection: the process owes nothing for it there.
    fn forget_failed_open(&self, cond: &Cond, branch: bool, state: &mut ProcState) {
        let Some((Operand::Place(place), failed_when)) = open_result::failure_test(cond) else {
            return;
        };
        if failed_when != branch || is_heap_place(place) {
            return;
        }
        let PlaceBase::Local(local) = place.base else { return };
        // Nothing to forget leaves the shared map uncopied.
        if state.values.get(&local).is_none_or(|value| value.conns.is_empty()) {
            return;
        }
        let Some(value) = Rc::make_mut(&mut state.values).get_mut(&local) else { return };
        // A caller's value (a summary's symbol) is checked, not opened, here.
        let (gone, kept): (ConnSet, ConnSet) = std::mem::take(&mut value.conns)
            .into_iter()
            .partition(|conn| self.conn_sites[conn.0 as usize].symbol.is_none());
        value.conns = kept;
        // Not a release: what an earlier fork owes for the same open site (an accept loop's
        // previous client) stays owed.
        state.closed.extend(gone);
    }

    /// On the edge where `Ok(stream)` matched, `stream` holds what the matched value holds
    /// (a constructor wraps its one value whole: see `operand_value`).
    fn bind_pattern(&self, cond: &Cond, state: &mut ProcState) {
        let Cond::Matches { value, pattern } = cond else { return };
        let matched = self.operand_value(value, state);
        let mut pending = vec![pattern];
        while let Some(pattern) = pending.pop() {
            match pattern {
                Pattern::Bind(local) => {
                    state.set_value(*local, matched.clone());
                }
                Pattern::Ctor { fields, .. } | Pattern::Or(fields) => pending.extend(fields),
                Pattern::Wild | Pattern::Int(_) | Pattern::Unknown => {}
            }
        }
    }

    fn operand_value(&self, operand: &Operand, state: &ProcState) -> Value {
        self.operand_value_ref(operand, state).into_owned()
    }

    /// `operand_value`, borrowed where the state holds it as it is: a reader that wants a
    /// part of it (its connections) needs no copy of the rest.
    fn operand_value_ref<'s>(&self, operand: &Operand, state: &'s ProcState) -> Cow<'s, Value> {
        match operand {
            Operand::Place(place) | Operand::Ref(place) => {
                let Some(key) = heap_key(place) else {
                    let PlaceBase::Local(local) = place.base else { return Cow::default() };
                    return state.values.get(&local).map_or_else(Cow::default, Cow::Borrowed);
                };
                let key = state.unalias(key);
                if let Some(value) = state.heap_value(&key) {
                    return Cow::Borrowed(value);
                }
                let alias = Some(key);
                Cow::Owned(match place.base {
                    // Through a field or a pointer: the seed's `close(*(int *)zh)` reaches the
                    // handle's descriptor through its first field.
                    PlaceBase::Local(local) => {
                        let conns = state.values.get(&local).map(|v| v.conns.clone());
                        Value { conns: conns.unwrap_or_default(), alias, ..Value::default() }
                    }
                    PlaceBase::Global(_) => Value { alias, ..Value::default() },
                })
            }
            // `Some(stream)`, `(stream)`: the one value it wraps, whole.
            Operand::Expr(parts) if parts.len() == 1 => self.operand_value_ref(&parts[0], state),
            Operand::Expr(parts) => {
                let mut conns = ConnSet::new();
                let mut all_counters = true;
                for part in parts {
                    let value = self.operand_value_ref(part, state);
                    conns.union_with(&value.conns);
                    all_counters &= value.counter;
                }
                // Arithmetic on numbers: `fd + 1`, `3..1024`.
                let counter = conns.is_empty() && all_counters;
                Cow::Owned(Value { conns, counter, ..Value::default() })
            }
            Operand::Int(_) => Cow::Owned(Value { counter: true, ..Value::default() }),
            Operand::Str(_) | Operand::Const(_) | Operand::Unknown => Cow::default(),
        }
    }
}
/// A process after a statement, and whether it is the same process as before (false for the
/// child a fork creates).
type Process = (ProcessKey, Box<ProcState>, bool);

/// What a statement did to the process that ran it.
enum Step {
    /// It goes on (changed in place).
    On,
    /// It ended: an exit, an exec, a call that never returns.
    Ended,
    /// It forked: these processes go on in its place.
    Forked(Vec<Process>),
}

/// A block as reached by one process.
type Node = (BlockId, ProcessKey);

/// The blocks waiting for a visit, each once, the lowest first (a `BTreeSet`'s `pop_first`
/// order, without building a tree for every loop).
struct Worklist {
    queued: Vec<bool>,
    ready: BinaryHeap<Reverse<u32>>,
}

impl Worklist {
    fn new(blocks: usize) -> Self {
        Worklist { queued: vec![false; blocks], ready: BinaryHeap::new() }
    }

    fn insert(&mut self, index: u32) {
        if !std::mem::replace(&mut self.queued[index as usize], true) {
            self.ready.push(Reverse(index));
        }
    }

    fn pop_first(&mut self) -> Option<u32> {
        let Reverse(index) = self.ready.pop()?;
        self.queued[index as usize] = false;
        Some(index)
    }
}

enum Outcome {
    Value(Value),
    Fork(ForkId),
}

fn site_index<'a>(sites: &mut Vec<Site<'a>>, call: &Call, model: Option<&'a ApiModel>) -> u32 {
    let flags = model.and_then(|m| m.flags_arg).and_then(|i| call.arg_spans.get(i));
    let site =
        Site { flags_span: flags.copied(), ..Site::new(call.span, callee_name(call), model) };
    add_site(sites, site)
}

/// The site's number: the same span and callee is the same site.
fn add_site<'a>(sites: &mut Vec<Site<'a>>, site: Site<'a>) -> u32 {
    // A callee that hands out one connection twice (stored and returned) hands out one.
    let same = |s: &Site| s.span == site.span && s.callee == site.callee && s.origin == site.origin;
    if let Some(index) = sites.iter().position(same) {
        return index as u32;
    }
    sites.push(site);
    (sites.len() - 1) as u32
}

/// Whether a heap key lies under a root (`l:3` covers `l:3.fd`, not `l:31`).
fn in_root(key: &str, root: &str) -> bool {
    key.strip_prefix(root).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

fn callee_name(call: &Call) -> String {
    match &call.callee {
        Callee::Path(path) => path.clone(),
        Callee::Method(name) => name.clone(),
        Callee::Unknown => "a call through a pointer".into(),
    }
}
