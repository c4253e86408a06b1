//! What calls do to the state: the catalog's effects.

use super::*;

impl<'a> FunctionAnalysis<'a> {
    /// The effect of a call; `None` when the process ends in it.
    pub(super) fn call(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        call: &Call,
    ) -> Option<Outcome> {
        let args: Vec<Value> = call.args.iter().map(|arg| self.operand_value(arg, state)).collect();
        let receiver = args.first().cloned().unwrap_or_default();
        let model = self.model(call, receiver.tag.as_deref());
        let all_conns: BTreeSet<ConnId> =
            args.iter().flat_map(|v| v.conns.iter().copied()).collect();
        let Some(model) = model else {
            return Some(self.unknown_call(key, state, call, &receiver, &all_conns));
        };
        let returned = Value { tag: model.returns.clone(), ..Value::default() };
        match model.effect {
            Effect::Fork | Effect::Vfork => {
                return Some(Outcome::Fork(self.fork_site(call, Some(model))));
            }
            Effect::Open if self.opens(call, &model, &receiver) => {
                state.resolve(&all_conns);
                return Some(Outcome::Value(self.open(state, call, model)));
            }
            Effect::Close if receiver.conns.is_empty() && receiver.counter => self.close_all(state),
            Effect::Close => self.release(state, &receiver.conns, false),
            Effect::Shutdown => self.release(state, &receiver.conns, true),
            Effect::CloseAll => self.close_all(state),
            Effect::Listen => {
                state.listening.extend(receiver.conns.iter().copied());
                state.resolve(&all_conns);
            }
            Effect::SetCloexec => {
                if sets_cloexec(&model, &call.args) {
                    state.cloexec.extend(receiver.conns.iter().copied());
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
                let value = self.spawn_thread(state, call, &model);
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
        conns: &BTreeSet<ConnId>,
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
        conns: &BTreeSet<ConnId>,
    ) {
        self.note_use(key, state, conns, call.span);
        state.resolve(conns);
        let event = RunEvent { span: call.span, kind: RunKind::Call(callee_name(call)) };
        state.mark_running(&event);
    }

    /// A free function opens; a method opens when it is modelled for its receiver's type or
    /// is called on a connection (`listener.accept()`).
    fn opens(&self, call: &Call, model: &ApiModel, receiver: &Value) -> bool {
        match call.callee {
            Callee::Method(_) => model.receiver.is_some() || !receiver.conns.is_empty(),
            _ => true,
        }
    }

    fn open(&mut self, state: &mut ProcState, call: &Call, model: ApiModel) -> Value {
        let listening = model.listening;
        let background = model.background_thread;
        let cloexec = sets_cloexec(&model, &call.args);
        let tag = model.returns.clone();
        let conn = self.conn_site(call, Some(model));
        state.opened.insert(conn);
        state.closed.remove(&conn);
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
        Value { tag, ..Value::of_conn(conn) }
    }

    /// A thread starts; its handle is returned or written through an argument.
    fn spawn_thread(&mut self, state: &mut ProcState, call: &Call, model: &ApiModel) -> Value {
        let thread =
            ThreadId::Spawned(site_index(&mut self.thread_sites, call, Some(model.clone())));
        state.threads.insert(thread);
        let handle = Value {
            tag: model.returns.clone(),
            threads: BTreeSet::from([thread]),
            ..Value::default()
        };
        let through = model.handle_arg.and_then(|index| call.args.get(index));
        if let Some(Operand::Ref(place) | Operand::Place(place)) = through {
            self.assign(state, place, handle);
            return Value::default();
        }
        handle
    }

    /// A loop closing every descriptor, `closefrom`, `close_range`: nothing stays open.
    fn close_all(&mut self, state: &mut ProcState) {
        let live: BTreeSet<ConnId> = state.live().collect();
        self.release(state, &live, false);
    }

    /// FDL002's evidence: the process uses a connection it inherited at a fork.
    fn note_use(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        conns: &BTreeSet<ConnId>,
        span: Span,
    ) {
        for ((fork, conn), obligation) in state.obligations.iter_mut() {
            if !conns.contains(conn) || obligation.closed || obligation.used.is_some() {
                continue;
            }
            obligation.used = Some(span);
            let shared_by_design = state.listening.contains(conn);
            let side = key.iter().find(|(f, _)| f == fork).map(|(_, side)| *side);
            if let (true, false, Some(side)) = (self.reporting, shared_by_design, side) {
                self.uses.entry((*fork, *conn)).or_default().entry(side).or_insert(span);
            }
        }
    }

    /// FDL004's evidence: the process forks while something runs threads in it.
    pub(super) fn note_threads_at_fork(&mut self, state: &ProcState, span: Span, callee: &str) {
        if let (true, Some(thread)) = (self.reporting, state.threads.first()) {
            self.thread_forks.entry(span).or_insert((callee.to_string(), *thread));
        }
    }

    pub(super) fn model(&self, call: &Call, receiver_tag: Option<&str>) -> Option<ApiModel> {
        let catalog = self.context.catalog;
        let language = self.context.language;
        match &call.callee {
            Callee::Path(path) => catalog.function(language, path, self.context.globs).cloned(),
            Callee::Method(name) => catalog.method(language, name, receiver_tag).cloned(),
            Callee::Unknown => None,
        }
    }

    pub(super) fn release(
        &mut self,
        state: &mut ProcState,
        conns: &BTreeSet<ConnId>,
        shutdown: bool,
    ) {
        state.resolve(conns);
        state.closed.extend(conns.iter().copied());
        for ((_, conn), obligation) in state.obligations.iter_mut() {
            if conns.contains(conn) {
                obligation.closed = true;
            }
        }
        for conn in conns {
            state.threads.remove(&ThreadId::Client(*conn));
        }
        if shutdown && self.reporting {
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
        if !vfork {
            let (span, callee) = (site.span, site.callee.clone());
            self.note_threads_at_fork(state, span, &callee);
        }
        [Side::Parent, Side::Child]
            .into_iter()
            .map(|side| {
                let mut process = state.clone();
                process.obligations.retain(|(f, _), _| *f != fork);
                let live: Vec<ConnId> = if vfork { Vec::new() } else { process.live().collect() };
                for conn in live {
                    let resolved =
                        side == Side::Parent && self.parent_keeps_on_purpose(&process, conn);
                    process.obligations.insert((fork, conn), Obligation::new(resolved));
                }
                if side == Side::Child {
                    // Only the thread that called fork() lives on in the child.
                    process.threads.clear();
                }
                bind_result(self, &mut process);
                // The parent goes on as the same process; the child is a new one.
                (child_key(key, fork, side), process, side == Side::Parent)
            })
            .collect()
    }

    /// A listening socket or a client served by a library thread stays in the parent by design.
    pub(super) fn parent_keeps_on_purpose(&self, state: &ProcState, conn: ConnId) -> bool {
        let background =
            self.conn_sites[conn.0 as usize].model.as_ref().is_some_and(|m| m.background_thread);
        background || state.listening.contains(&conn)
    }

    pub(super) fn conn_site(&mut self, call: &Call, model: Option<ApiModel>) -> ConnId {
        ConnId(site_index(&mut self.conn_sites, call, model))
    }

    /// FDL003's fact: every open socket without close-on-exec goes into the new program.
    pub(super) fn exec_inherits(&mut self, state: &ProcState, call: &Call) {
        if !self.reporting {
            return;
        }
        for conn in state.live().filter(|conn| !state.cloexec.contains(conn)) {
            self.exec_leaks.insert((call.span, conn), callee_name(call));
        }
    }

    pub(super) fn fork_site(&mut self, call: &Call, model: Option<ApiModel>) -> ForkId {
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
    let named = |name: &str| name == flag || name.ends_with(&format!("::{flag}"));
    match operand {
        Operand::Const(name) => named(name),
        Operand::Place(Place { base: PlaceBase::Global(name), .. }) => named(name),
        Operand::Expr(parts) => parts.iter().any(|part| mentions(part, flag)),
        _ => false,
    }
}
