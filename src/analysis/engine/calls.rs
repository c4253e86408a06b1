//! What calls do to the state: the catalog's effects.

use super::*;
use crate::analysis::sorted::SortedSet;

impl<'a> FunctionAnalysis<'a> {
    /// The effect of a call; `None` when the process ends in it.
    pub(super) fn call(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        call: &Call,
    ) -> Option<Outcome> {
        let receiver = call.args.first().map(|arg| self.operand_value(arg, state));
        let receiver = receiver.unwrap_or_default();
        let model = self.model(call, receiver.tag.as_deref());
        let mut all_conns = ConnSet::new();
        for arg in &call.args {
            let conns = self.operand_value_ref(arg, state).conns.clone();
            all_conns.union_with(&self.reachable_from(arg, conns, state));
        }
        let Some(model) = model else {
            let summaries = self.context.summaries;
            if let Some(summary) = summaries.lookup(self.context.language, &call.callee) {
                return self.apply_summary(key, state, call, &summary);
            }
            if call.callee == Callee::Unknown {
                // A call through a pointer may reach any function of the program, and with it
                // every global.
                all_conns.extend(state.heap_under("g:"));
            }
            return Some(self.unknown_call(key, state, call, &receiver, &all_conns));
        };
        let returned = Value { tag: model.returns.clone(), ..Value::default() };
        match model.effect {
            Effect::Fork | Effect::Vfork => {
                return Some(Outcome::Fork(self.fork_site(call, Some(model))));
            }
            Effect::Open if self.opens(call, model, &receiver) => {
                // `accept(listener)` uses the listener.
                self.note_use(key, state, &all_conns, call.span);
                state.resolve(&all_conns);
                return Some(Outcome::Value(self.open(state, call, model)));
            }
            Effect::Close if receiver.conns.is_empty() && receiver.counter => self.close_all(state),
            Effect::Close => {
                self.note_close(key, state, &receiver.conns, call);
                self.release(state, &receiver.conns, false);
                self.drop_threads(state, &receiver);
            }
            Effect::Shutdown => self.release(state, &receiver.conns, true),
            Effect::CloseAll => self.close_all(state),
            Effect::Listen => {
                state.listening.extend(receiver.conns.iter());
                state.resolve(&all_conns);
            }
            Effect::SetCloexec => {
                if sets_cloexec(model, &call.args) {
                    state.cloexec.extend(receiver.conns.iter());
                }
                state.resolve(&all_conns);
            }
            Effect::Exec => {
                self.exec_inherits(state, call);
                self.end_process(key, state);
                return None;
            }
            Effect::Exit => {
                self.end_process(key, state);
                return None;
            }
            Effect::Passthrough => return Some(Outcome::Value(receiver)),
            Effect::Daemon => {
                self.note_threads_at_fork(state, call.span, &callee_name(call));
                state.threads.clear();
            }
            Effect::SpawnThread => {
                let value = self.spawn_thread(state, call, model);
                self.keeps_running(key, state, call, &all_conns);
                return Some(Outcome::Value(value));
            }
            Effect::Join => {
                for thread in &receiver.threads {
                    state.threads.remove(thread);
                }
                self.keeps_running(key, state, call, &all_conns);
            }
            Effect::Spawn => {
                self.exec_inherits(state, call);
                self.keeps_running(key, state, call, &all_conns);
            }
            Effect::Store => self.store_into_receiver(state, call),
            Effect::Quick | Effect::Open => state.resolve(&all_conns),
            Effect::Blocking => self.keeps_running(key, state, call, &all_conns),
        }
        Some(Outcome::Value(returned))
    }

    /// A call fdlint has no model for: the process goes on running in it, and a connection
    /// passed to it is used there. A method of a typed value with no model of its own keeps
    /// the type (a builder: `Command::new("ls").arg("-l")`).
    fn unknown_call(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        call: &Call,
        receiver: &Value,
        conns: &ConnSet,
    ) -> Outcome {
        self.keeps_running(key, state, call, conns);
        let tag = match call.callee {
            Callee::Method(_) => receiver.tag.clone(),
            _ => None,
        };
        Outcome::Value(Value { tag, ..Value::default() })
    }

    /// The process runs on in the call, using the connections passed to it.
    fn keeps_running(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        call: &Call,
        conns: &ConnSet,
    ) {
        self.note_use(key, state, conns, call.span);
        state.resolve(conns);
        state.mark_running_with(|| RunEvent {
            span: call.span,
            kind: RunKind::Call(callee_name(call)),
        });
    }

    /// `replicas.push(stream)`: the collection holds the stream, and dropping it drops them.
    fn store_into_receiver(&mut self, state: &mut ProcState, call: &Call) {
        let Some(Operand::Place(place) | Operand::Ref(place)) = call.args.first() else { return };
        let args: Vec<Value> = call.args.iter().map(|arg| self.operand_value(arg, state)).collect();
        let Some((receiver, stored)) = args.split_first() else { return };
        let mut holds = receiver.clone();
        for value in stored {
            holds.conns.extend(value.conns.iter());
        }
        self.assign(state, place, holds);
    }

    /// A free function opens; a method opens when it is modelled for its receiver's type or
    /// is called on a connection (`listener.accept()`).
    fn opens(&self, call: &Call, model: &ApiModel, receiver: &Value) -> bool {
        match call.callee {
            Callee::Method(_) => model.receiver.is_some() || !receiver.conns.is_empty(),
            _ => true,
        }
    }

    fn open(&mut self, state: &mut ProcState, call: &Call, model: &'a ApiModel) -> Value {
        let listening = model.listening;
        let background = model.background_thread;
        let cloexec = sets_cloexec(model, &call.args);
        let tag = model.returns.clone();
        let model_handle_arg = model.handle_arg;
        let conn = self.conn_site(call, Some(model));
        state.reopen(conn);
        if listening {
            state.listening.insert(conn);
        }
        if cloexec {
            state.cloexec.insert(conn);
        } else {
            state.cloexec.remove(&conn);
        }
        if background {
            state.threads.insert(ThreadId::Client(conn));
        }
        let value = Value { tag, ..Value::of_conn(conn) };
        // `mysql_real_connect(conn, ...)` connects the handle it is given.
        let through = model_handle_arg.and_then(|index| call.args.get(index));
        if let Some(Operand::Ref(place) | Operand::Place(place)) = through {
            self.assign(state, place, value.clone());
        }
        value
    }

    /// A thread starts; its handle is returned or written through an argument.
    fn spawn_thread(&mut self, state: &mut ProcState, call: &Call, model: &'a ApiModel) -> Value {
        let thread = ThreadId::Spawned(site_index(&mut self.thread_sites, call, Some(model)));
        state.threads.insert(thread);
        let handle = Value {
            tag: model.returns.clone(),
            threads: SortedSet::of(thread),
            ..Value::default()
        };
        let through = model.handle_arg.and_then(|index| call.args.get(index));
        if let Some(Operand::Ref(place) | Operand::Place(place)) = through {
            self.assign(state, place, handle);
            return Value::default();
        }
        handle
    }

    /// Dropping a runtime stops its threads (a plain thread handle does not).
    pub(super) fn drop_threads(&self, state: &mut ProcState, value: &Value) {
        for thread in &value.threads {
            let ThreadId::Spawned(site) = thread else { continue };
            let site = &self.thread_sites[*site as usize];
            if site.model.as_ref().is_some_and(|m| m.ends_on_drop) {
                state.threads.remove(thread);
            }
        }
    }

    /// A loop closing every descriptor, `closefrom`, `close_range`: nothing stays open.
    pub(super) fn close_all(&mut self, state: &mut ProcState) {
        let live = state.live();
        self.release(state, &live, false);
        state.closed_all = true;
    }

    /// The connections an argument gives the callee: its value, and what the fields of the
    /// structure it names hold.
    pub(super) fn reachable(&self, operand: &Operand, state: &ProcState) -> ConnSet {
        self.reachable_from(operand, self.operand_value_ref(operand, state).conns.clone(), state)
    }

    /// `reachable`, given what the operand's value holds (`conns`).
    pub(super) fn reachable_from(
        &self,
        operand: &Operand,
        mut conns: ConnSet,
        state: &ProcState,
    ) -> ConnSet {
        if state.heap.is_empty() {
            return conns;
        }
        if let Operand::Place(place) | Operand::Ref(place) = operand {
            let key = heap_key(place).unwrap_or_else(|| root_key(&place.base));
            conns.union_with(&state.heap_under(&state.unalias(key)));
        }
        conns
    }

    /// FDL002's evidence: the process uses a connection it inherited at a fork.
    pub(super) fn note_use(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        conns: &ConnSet,
        span: Span,
    ) {
        let mut records = Vec::new();
        state.used.extend(conns.iter());
        if self.reporting {
            self.seen_used.extend(conns.iter());
        }
        for ((fork, conn), obligation) in state.obligations.iter_mut() {
            if !conns.contains(conn) || obligation.closed {
                continue;
            }
            // Recorded even when a path around a loop already used it: the report pass sees
            // each block once, with the loop's joined state.
            obligation.used.get_or_insert(span);
            let shared_by_design = state.listening.contains(conn);
            let Some(side) = key.iter().find(|(f, _)| f == fork).map(|(_, side)| *side) else {
                continue;
            };
            records.push((*fork, *conn, side, shared_by_design));
        }
        for (fork, conn, side, shared_by_design) in records {
            if self.reporting {
                self.owners.insert((fork, conn, side));
            }
            // A listener both processes accept on is shared on purpose: not FDL002's business.
            if !shared_by_design {
                self.record_use(fork, conn, side, span);
            }
        }
    }

    /// FDL004's evidence: the process forks while something runs threads in it.
    pub(super) fn note_threads_at_fork(&mut self, state: &ProcState, span: Span, callee: &str) {
        if let (true, Some(thread)) = (self.reporting, state.threads.first()) {
            self.thread_forks.entry(span).or_insert((callee.to_string(), *thread, None));
        }
    }

    pub(super) fn model(&self, call: &Call, receiver_tag: Option<&str>) -> Option<&'a ApiModel> {
        let catalog = self.context.catalog;
        let language = self.context.language;
        match &call.callee {
            Callee::Path(path) => catalog.function(language, path, self.context.globs),
            Callee::Method(name) => catalog.method(language, name, receiver_tag),
            Callee::Unknown => None,
        }
    }

    pub(super) fn release(&mut self, state: &mut ProcState, conns: &ConnSet, shutdown: bool) {
        self.release_where(state, conns, shutdown, true);
    }

    /// As `release`; `every_path` is false for a callee that releases them on some of the
    /// paths it returns by only: they count as closed (precision first), but not as closed on
    /// every path, which is what a fork's side is credited with.
    pub(super) fn release_where(
        &mut self,
        state: &mut ProcState,
        conns: &ConnSet,
        shutdown: bool,
        every_path: bool,
    ) {
        state.resolve(conns);
        state.close(conns, every_path, self.in_loop);
        if self.reporting {
            self.seen_closed.extend(conns.iter());
        }
        for ((_, conn), obligation) in state.obligations.iter_mut() {
            if conns.contains(conn) {
                obligation.closed = true;
            }
        }
        for conn in conns {
            state.threads.remove(&ThreadId::Client(conn));
        }
        if shutdown && self.reporting {
            self.seen_shut_down.extend(conns.iter());
            for (fork, conn) in state.obligations.keys() {
                if conns.contains(conn) {
                    self.shut_down.insert((*fork, *conn));
                }
            }
        }
    }

    /// A fork: the process becomes a parent and a child, each owing every live connection.
    pub(super) fn split(
        &mut self,
        key: &ProcessKey,
        state: &ProcState,
        fork: ForkId,
        bind_result: impl Fn(&mut Self, &mut ProcState),
    ) -> Vec<Process> {
        let site = &self.fork_sites[fork.0 as usize];
        // A vfork child borrows the parent's memory until it execs or exits: it can do nothing
        // that owes a connection, and the parent waits for it.
        let vfork = site.model.as_ref().is_some_and(|m| m.effect == Effect::Vfork);
        let threads = if vfork { None } else { state.threads.first().copied() };
        [Side::Parent, Side::Child]
            .into_iter()
            .map(|side| {
                let mut process = state.clone();
                process.obligations.retain(|(f, _), _| *f != fork);
                let live = if vfork { ConnSet::new() } else { process.live() };
                for conn in live {
                    let on_purpose = self.parent_keeps_on_purpose(&process, conn);
                    let resolved = side == Side::Parent && on_purpose;
                    process.obligations.insert((fork, conn), Obligation::new(resolved));
                    if resolved && self.served_by_thread(conn) {
                        // The parent's I/O thread goes on talking on the connection.
                        let span = self.fork_sites[fork.0 as usize].span;
                        self.record_use(fork, conn, Side::Parent, span);
                    }
                }
                if side == Side::Child {
                    // Only the thread that called fork() lives on in the child; FDL004 waits to
                    // see whether the child does more than exec or exit at once.
                    process.threads.clear();
                    if let Some(thread) = threads {
                        process.threads_lost.insert(fork, (thread, false));
                    }
                }
                process.ran_since_fork = false;
                process.used.clear();
                process.closed_since_fork.clear();
                process.wandered.remove(&fork);
                bind_result(self, &mut process);
                // The parent goes on as the same process; the child is a new one.
                (child_key(key, fork, side), Box::new(process), side == Side::Parent)
            })
            .collect::<Vec<Process>>()
            .into_iter()
            .filter_map(|process| self.inside_forking_callee(fork, process))
            .collect()
    }

    /// A fork made inside a called function: a side that does not come back from it runs
    /// there (or ends at once) and ends; the side that returns goes on in the caller.
    fn inside_forking_callee(&mut self, fork: ForkId, process: Process) -> Option<Process> {
        let site = &self.fork_sites[fork.0 as usize];
        let Some(summary) = site.fork_summary.clone() else { return Some(process) };
        let (span, callee, call) = (site.span, site.callee.clone(), site.fork_call.clone());
        let threads_after_fork = site.threads_after_fork;
        let (key, mut state, same) = process;
        let side = if same { &summary.parent } else { &summary.child };
        if let Some(call) = &call {
            self.apply_side_effects(&key, &mut state, call, side);
            self.consume_temporaries(&mut state, &call.args);
            if threads_after_fork && same {
                let thread = ThreadId::Spawned(site_index(&mut self.thread_sites, call, None));
                state.threads.insert(thread);
            }
        }
        if side.returns {
            return Some((key, state, same));
        }
        if side.closes_all {
            self.close_all(&mut state);
        }
        if side.ran {
            state.mark_running(&RunEvent { span, kind: RunKind::Call(callee) });
        }
        self.end_process(&key, &mut state);
        None
    }

    fn served_by_thread(&self, conn: ConnId) -> bool {
        let site = &self.conn_sites[conn.0 as usize];
        site.model.as_ref().is_some_and(|m| m.background_thread)
            || site.origin.as_ref().is_some_and(|o| o.background_thread)
    }

    fn record_use(&mut self, fork: ForkId, conn: ConnId, side: Side, span: Span) {
        if self.reporting {
            self.uses.entry((fork, conn)).or_default().entry(side).or_insert(span);
        }
    }

    /// FDL004: a child that went on running after a fork that lost threads.
    /// Checked after every statement: inlined, the common case (no lost thread) costs no call.
    #[inline]
    pub(super) fn report_lost_threads(&mut self, state: &ProcState) {
        if self.reporting && !state.threads_lost.is_empty() {
            self.report_lost_threads_now(state);
        }
    }

    fn report_lost_threads_now(&mut self, state: &ProcState) {
        for (fork, (thread, ran)) in &state.threads_lost {
            if *ran {
                let site = &self.fork_sites[fork.0 as usize];
                let entry = (site.callee.clone(), *thread, self.fork_inside(*fork));
                self.thread_forks.entry(site.span).or_insert(entry);
            }
        }
    }

    /// A listening socket or a client served by a library thread stays in the parent by design.
    pub(super) fn parent_keeps_on_purpose(&self, state: &ProcState, conn: ConnId) -> bool {
        let site = &self.conn_sites[conn.0 as usize];
        let background = site.model.as_ref().is_some_and(|m| m.background_thread)
            || site.origin.as_ref().is_some_and(|o| o.background_thread);
        background || state.listening.contains(&conn)
    }

    pub(super) fn conn_site(&mut self, call: &Call, model: Option<&'a ApiModel>) -> ConnId {
        ConnId(site_index(&mut self.conn_sites, call, model))
    }

    /// FDL003's fact: every open socket without close-on-exec goes into the new program.
    pub(super) fn exec_inherits(&mut self, state: &ProcState, call: &Call) {
        if !self.reporting {
            return;
        }
        for conn in state.live().difference(&state.cloexec) {
            self.exec_leaks.insert((call.span, conn), callee_name(call));
        }
    }

    pub(super) fn fork_site(&mut self, call: &Call, model: Option<&'a ApiModel>) -> ForkId {
        ForkId(site_index(&mut self.fork_sites, call, model))
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
    let named = |name: &str| {
        name.strip_suffix(flag).is_some_and(|before| before.is_empty() || before.ends_with("::"))
    };
    match operand {
        Operand::Const(name) => named(name),
        Operand::Place(Place { base: PlaceBase::Global(name), .. }) => named(name),
        Operand::Expr(parts) => parts.iter().any(|part| mentions(part, flag)),
        _ => false,
    }
}
