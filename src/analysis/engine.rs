//! The fixpoint over one function's CFG, and the transfer of each statement.
//!
//! The fixpoint runs first without reporting; then one pass over every reachable block with
//! its final entry state reports what leaks, so a finding never depends on iteration order.

use std::collections::{BTreeMap, BTreeSet};

use super::fork_side::eval_cond;
use super::state::{
    child_key, join_flow, ConnId, Flow, ForkId, Obligation, ProcState, ProcessKey, Value,
};
use super::{Connection, ExecLeak, Facts, ForkLeak, RunEvent, RunKind, Side};
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
        }
    }

    fn fixpoint(&mut self) -> Vec<Flow> {
        let blocks = &self.function.blocks;
        let mut entry: Vec<Flow> = vec![Flow::new(); blocks.len()];
        if blocks.is_empty() {
            return entry;
        }
        entry[0].insert(ProcessKey::new(), ProcState::default());
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
                                Value { conns: BTreeSet::new(), fork: Some(fork) },
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

    /// The effect of a call; `None` when the process ends in it.
    fn call(&mut self, key: &ProcessKey, state: &mut ProcState, call: &Call) -> Option<Outcome> {
        let model = self.model(call);
        let effect = model.as_ref().map(|model| model.effect);
        let args: Vec<Value> = call.args.iter().map(|arg| self.operand_value(arg, state)).collect();
        let first_conns = args.first().map(|value| value.conns.clone()).unwrap_or_default();
        let all_conns: BTreeSet<ConnId> =
            args.iter().flat_map(|v| v.conns.iter().copied()).collect();
        let is_method = matches!(call.callee, Callee::Method(_));
        match effect {
            Some(Effect::Fork) => return Some(Outcome::Fork(self.fork_site(call))),
            Some(Effect::Open) if !is_method || !first_conns.is_empty() => {
                state.resolve(&all_conns);
                let conn = self.conn_site(call, model.clone());
                state.opened.insert(conn);
                state.closed.remove(&conn);
                if model.as_ref().is_some_and(|m| m.listening) {
                    state.listening.insert(conn);
                }
                if model.as_ref().is_some_and(|m| sets_cloexec(m, &call.args)) {
                    state.cloexec.insert(conn);
                } else {
                    state.cloexec.remove(&conn);
                }
                return Some(Outcome::Value(Value { conns: BTreeSet::from([conn]), fork: None }));
            }
            Some(Effect::Close) => self.release(state, &first_conns, false),
            Some(Effect::Shutdown) => self.release(state, &first_conns, true),
            Some(Effect::Listen) => {
                state.listening.extend(first_conns.iter().copied());
                state.resolve(&all_conns);
            }
            Some(Effect::SetCloexec) => {
                if model.as_ref().is_some_and(|m| sets_cloexec(m, &call.args)) {
                    state.cloexec.extend(first_conns.iter().copied());
                }
                state.resolve(&all_conns);
            }
            Some(Effect::Exec) => {
                self.exec_inherits(state, call);
                self.end_process(key, state);
                return None;
            }
            Some(Effect::Exit) => {
                self.end_process(key, state);
                return None;
            }
            Some(Effect::Passthrough) => {
                return Some(Outcome::Value(args.into_iter().next().unwrap_or_default()));
            }
            Some(Effect::Quick) | Some(Effect::Open) => state.resolve(&all_conns),
            Some(Effect::Blocking) | None => {
                state.resolve(&all_conns);
                let event = RunEvent { span: call.span, kind: RunKind::Call(callee_name(call)) };
                state.mark_running(&event);
            }
        }
        Some(Outcome::Value(Value::default()))
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

    fn model(&self, call: &Call) -> Option<ApiModel> {
        let catalog = self.context.catalog;
        let language = self.context.language;
        match &call.callee {
            Callee::Path(path) => catalog.function(language, path, self.context.globs).cloned(),
            Callee::Method(name) => catalog.method(language, name).cloned(),
            Callee::Unknown => None,
        }
    }

    fn release(&mut self, state: &mut ProcState, conns: &BTreeSet<ConnId>, shutdown: bool) {
        state.resolve(conns);
        state.closed.extend(conns.iter().copied());
        if shutdown && self.reporting {
            for (fork, conn) in state.obligations.keys() {
                if conns.contains(conn) {
                    self.shut_down.insert((*fork, *conn));
                }
            }
        }
    }

    /// A fork: the process becomes a parent and a child, each owing every live connection.
    fn split(
        &mut self,
        key: &ProcessKey,
        state: &ProcState,
        fork: ForkId,
        bind_result: impl Fn(&mut Self, &mut ProcState),
    ) -> Vec<Process> {
        [Side::Parent, Side::Child]
            .into_iter()
            .map(|side| {
                let mut process = state.clone();
                process.obligations.retain(|(f, _), _| *f != fork);
                let live: Vec<ConnId> = process.live().collect();
                for conn in live {
                    let resolved =
                        side == Side::Parent && self.parent_keeps_on_purpose(&process, conn);
                    process.obligations.insert((fork, conn), Obligation { resolved, ran: None });
                }
                bind_result(self, &mut process);
                // The parent goes on as the same process; the child is a new one.
                (child_key(key, fork, side), process, side == Side::Parent)
            })
            .collect()
    }

    /// A listening socket or a client served by a library thread stays in the parent by design.
    fn parent_keeps_on_purpose(&self, state: &ProcState, conn: ConnId) -> bool {
        let background =
            self.conn_sites[conn.0 as usize].model.as_ref().is_some_and(|m| m.background_thread);
        background || state.listening.contains(&conn)
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

    fn report_unresolved(&mut self, key: &ProcessKey, state: &ProcState) {
        if !self.reporting {
            return;
        }
        for ((fork, conn), obligation) in &state.obligations {
            if obligation.resolved {
                continue;
            }
            let Some(side) = key.iter().find(|(f, _)| f == fork).map(|(_, side)| *side) else {
                continue;
            };
            let event = obligation.ran.clone().unwrap_or(RunEvent {
                span: self.fork_sites[fork.0 as usize].span,
                kind: RunKind::Return,
            });
            self.leaks.entry((*fork, *conn)).or_default().entry(side).or_insert(event);
        }
    }

    /// A loop the process never leaves: what it still owes on entry, it leaks. Whether the
    /// process can end is asked of the process itself (its block and fork sides), so a child
    /// that exits inside the loop does not make the parent's endless loop look finite.
    fn report_endless_loops(&mut self, entry_states: &[Flow]) {
        let can_end = self.nodes_that_can_end();
        for (index, block) in self.function.blocks.iter().enumerate() {
            if !block.loop_head {
                continue;
            }
            for (key, state) in &entry_states[index] {
                if can_end.contains(&(BlockId(index as u32), key.clone())) {
                    continue;
                }
                let mut state = state.clone();
                state.mark_running(&RunEvent { span: block.span, kind: RunKind::Loop });
                self.report_unresolved(key, &state);
            }
        }
    }

    /// Backwards reachability over (block, process) nodes from those where the process ends.
    fn nodes_that_can_end(&self) -> BTreeSet<Node> {
        let mut can_end: BTreeSet<Node> = self.ended.clone();
        let mut changed = true;
        while changed {
            changed = false;
            for (node, successors) in &self.same_process_edges {
                if !can_end.contains(node) && successors.iter().any(|s| can_end.contains(s)) {
                    can_end.insert(node.clone());
                    changed = true;
                }
            }
        }
        can_end
    }

    fn operand_value(&self, operand: &Operand, state: &ProcState) -> Value {
        match operand {
            Operand::Place(place) | Operand::Ref(place) => match place.base {
                PlaceBase::Local(local) if place.projections.is_empty() => state.value_of(local),
                // Through a field or a pointer: the seed's `close(*(int *)zh)` reaches the
                // handle's descriptor through its first field.
                PlaceBase::Local(local) => Value { conns: state.value_of(local).conns, fork: None },
                PlaceBase::Global(_) => Value::default(),
            },
            Operand::Expr(parts) => {
                let conns =
                    parts.iter().flat_map(|part| self.operand_value(part, state).conns).collect();
                Value { conns, fork: None }
            }
            Operand::Int(_) | Operand::Str(_) | Operand::Const(_) | Operand::Unknown => {
                Value::default()
            }
        }
    }

    fn conn_site(&mut self, call: &Call, model: Option<ApiModel>) -> ConnId {
        ConnId(site_index(&mut self.conn_sites, call, model))
    }

    /// FDL003's fact: every open socket without close-on-exec goes into the new program.
    fn exec_inherits(&mut self, state: &ProcState, call: &Call) {
        if !self.reporting {
            return;
        }
        for conn in state.live().filter(|conn| !state.cloexec.contains(conn)) {
            self.exec_leaks.insert((call.span, conn), callee_name(call));
        }
    }

    fn fork_site(&mut self, call: &Call) -> ForkId {
        ForkId(site_index(&mut self.fork_sites, call, None))
    }

    fn connection(&self, conn: ConnId) -> Connection {
        let site = &self.conn_sites[conn.0 as usize];
        let what =
            site.model.as_ref().and_then(|m| m.what.clone()).unwrap_or_else(|| "connection".into());
        Connection {
            name: self.conn_names.get(&conn).cloned().unwrap_or_else(|| site.callee.clone()),
            open_span: site.span,
            opener: site.callee.clone(),
            what,
        }
    }

    fn into_facts(self) -> Facts {
        let mut leaks = Vec::new();
        for ((fork, conn), sides) in &self.leaks {
            if self.shut_down.contains(&(*fork, *conn)) {
                continue;
            }
            let fork_site = &self.fork_sites[fork.0 as usize];
            leaks.push(ForkLeak {
                function: self.function.name.clone(),
                fork_span: fork_site.span,
                fork_callee: fork_site.callee.clone(),
                connection: self.connection(*conn),
                sides: sides.iter().map(|(side, event)| (*side, event.clone())).collect(),
            });
        }
        leaks.sort_by_key(|leak| (leak.fork_span, leak.connection.open_span));
        let exec_leaks = self
            .exec_leaks
            .iter()
            .map(|((span, conn), callee)| ExecLeak {
                exec_span: *span,
                exec_callee: callee.clone(),
                connection: self.connection(*conn),
            })
            .collect();
        Facts { leaks, exec_leaks }
    }
}

/// Whether a call's arguments name the model's close-on-exec flag (`SOCK_CLOEXEC`,
/// `libc::SOCK_CLOEXEC`, `FD_CLOEXEC`), or the model says its descriptors always are.
fn sets_cloexec(model: &ApiModel, args: &[Operand]) -> bool {
    model.cloexec
        || model
            .cloexec_flag
            .as_deref()
            .is_some_and(|flag| args.iter().any(|arg| mentions(arg, flag)))
}

fn mentions(operand: &Operand, flag: &str) -> bool {
    let named = |name: &str| name == flag || name.ends_with(&format!("::{flag}"));
    match operand {
        Operand::Const(name) => named(name),
        Operand::Place(Place { base: PlaceBase::Global(name), .. }) => named(name),
        Operand::Expr(parts) => parts.iter().any(|part| mentions(part, flag)),
        _ => false,
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
