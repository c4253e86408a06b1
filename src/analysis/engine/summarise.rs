//! Summaries, both ways: reading one off a function's final states (with its parameters and
//! globals bound to symbols), and applying a callee's summary at a call.

use super::*;
use crate::analysis::summary::{RootSet, SideSummary, StoreTarget};
use std::rc::Rc;

impl<'a> FunctionAnalysis<'a> {
    /// Each parameter and each global the body names holds "the caller's value", a symbol, so
    /// that what the body does to it can be read off at the end.
    pub(super) fn bind_symbols(&mut self, state: &mut ProcState) {
        for index in 0..self.function.param_count {
            let conn = self.symbol_site(Root::Param(index));
            Rc::make_mut(&mut state.values)
                .insert(crate::ir::LocalId(index as u32), Value::of_conn(conn));
        }
        for name in globals_named(self.function) {
            let conn = self.symbol_site(Root::Global(name.clone()));
            Rc::make_mut(&mut state.heap).insert(global_key(&name), Value::of_conn(conn));
        }
    }

    fn symbol_site(&mut self, root: Root) -> ConnId {
        let callee = match &root {
            // Concatenated: `format!` costs several times as much, for every parameter.
            Root::Param(index) => ["parameter ", &index.to_string()].concat(),
            Root::Global(name) => ["global ", name].concat(),
        };
        let site = Site { symbol: Some(root), ..Site::new(self.function.name_span, callee, None) };
        ConnId(add_site(&mut self.conn_sites, site))
    }

    fn symbol_of(&self, conn: ConnId) -> Option<&Root> {
        self.conn_sites[conn.0 as usize].symbol.as_ref()
    }

    /// The caller's values (parameters, globals) among these connections.
    fn roots(&self, conns: &ConnSet) -> RootSet {
        conns.iter().filter_map(|conn| self.symbol_of(conn).cloned()).collect()
    }

    /// The summary, from the report pass's records.
    pub(super) fn summary(&self) -> Summary {
        // What the callee did to the caller's values counts whether it returns, ends or loops.
        let mut summary = Summary {
            closes: self.roots(&self.seen_closed),
            shuts_down: self.roots(&self.seen_shut_down),
            uses: self.roots(&self.seen_used),
            ..Summary::default()
        };
        let mut returned = self.returns.iter();
        if let Some((_, first, _)) = returned.next() {
            let mut every = self.roots(&first.closed_surely());
            for (_, state, _) in returned {
                let closed = self.roots(&state.closed_surely());
                every.retain(|root| closed.contains(root));
            }
            summary.releases_on_every_path = every;
        }
        for (_, state, returned) in &self.returns {
            summary.closes_all |= state.closed_all;
            summary.runs |= state.ran;
            // A client's I/O thread travels with the connection it hands out.
            summary.starts_thread |=
                state.threads.iter().any(|t| !matches!(t, ThreadId::Client(_)));
            if summary.returns_open.is_none() {
                let origin = returned.iter().find_map(|conn| self.origin(conn, state));
                summary.returns_open = origin.map(Box::new);
            }
            self.note_stores(state, &mut summary);
        }
        summary.never_returns = self.returns.is_empty();
        // Never returning without ever ending: a loop with no way out.
        summary.runs |= self.returns.iter().all(|(_, s, _)| s.ran)
            && self.process_ends.iter().all(|(_, state)| state.ran);
        summary.fork = self.fork_summary().map(Box::new);
        summary
    }

    fn note_stores(&self, state: &ProcState, summary: &mut Summary) {
        for (key, value) in state.heap.iter() {
            let Some(target) = self.store_target(key) else { continue };
            for conn in &value.conns {
                if let Some(source) = self.symbol_of(conn) {
                    let store = (target.clone(), source.clone());
                    if store.0.root != store.1 && !summary.stores_value.contains(&store) {
                        summary.stores_value.push(store);
                    }
                    continue;
                }
                let Some(origin) = self.origin(conn, state) else { continue };
                if !summary.stores_open.iter().any(|(t, o)| *t == target && *o == origin) {
                    summary.stores_open.push((target.clone(), origin));
                }
            }
        }
    }

    /// A heap key as the caller will see it: a global, or a field of a parameter.
    fn store_target(&self, key: &str) -> Option<StoreTarget> {
        let rest = &key[2..];
        let split = rest.find(['.', '[']).unwrap_or(rest.len());
        let (root, path) = rest.split_at(split);
        let root = if key.starts_with("g:") {
            Root::Global(root.to_string())
        } else {
            let index: usize = root.parse().ok()?;
            if index >= self.function.param_count || path.is_empty() {
                return None;
            }
            Root::Param(index)
        };
        Some(StoreTarget { root, path: path.to_string() })
    }

    /// Where a connection this function hands out was opened, for its callers.
    fn origin(&self, conn: ConnId, state: &ProcState) -> Option<OpenOrigin> {
        let site = &self.conn_sites[conn.0 as usize];
        if site.symbol.is_some() {
            return None;
        }
        let listening = state.listening.contains(&conn);
        if let Some(origin) = &site.origin {
            return Some(OpenOrigin { listening: origin.listening || listening, ..origin.clone() });
        }
        let model = site.model.as_ref();
        Some(OpenOrigin {
            listening,
            what: model.and_then(|m| m.what.clone()).unwrap_or_else(|| "connection".into()),
            opener: site.callee.clone(),
            function: self.function.name.clone(),
            file: self.context.file,
            span: site.span,
            background_thread: model.is_some_and(|m| m.background_thread),
            cloexec: model.is_some_and(|m| m.cloexec),
        })
    }

    /// For a function that forks: what each side does before it leaves the function.
    fn fork_summary(&self) -> Option<ForkSummary> {
        if self.fork_sites.is_empty() {
            return None;
        }
        let fork = ForkId(0);
        let side_of = |key: &ProcessKey| key.iter().find(|(f, _)| *f == fork).map(|(_, s)| *s);
        let mut sides = [SideSummary::default(), SideSummary::default()];
        let slot = |side: Side| if side == Side::Parent { 0 } else { 1 };
        let ends = self.process_ends.iter().map(|(key, state)| (key, state, false));
        let returns = self.returns.iter().map(|(key, state, _)| (key, state, true));
        for (key, state, returned) in returns.chain(ends) {
            let Some(side) = side_of(key) else { continue };
            let summary = &mut sides[slot(side)];
            summary.returns |= returned;
            summary.ran |= state.ran_since_fork;
            summary.closes_all |= state.closed_all;
            // Closed by this side since the fork, or before it on every path: a close on some
            // path before the fork may have been skipped on the path that forked.
            summary.closes.extend(self.roots(&state.closed_since_fork));
            summary.closes.extend(self.roots(&state.closed_surely()));
            summary.uses.extend(self.roots(&state.used));
        }
        let [parent, child] = sides;
        Some(ForkSummary { parent, child, at: self.fork_located(fork) })
    }

    /// Where a fork of this function really is: the fork call, or inside the helper it calls.
    pub(super) fn fork_located(&self, fork: ForkId) -> Located {
        let site = &self.fork_sites[fork.0 as usize];
        match &site.fork_summary {
            Some(inner) => inner.at.clone(),
            None => Located {
                file: self.context.file,
                span: site.span,
                function: self.function.name.clone(),
            },
        }
    }

    /// A call to a function of the run: do to the caller's state what its summary says.
    pub(super) fn apply_summary(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        call: &Call,
        summary: &Summary,
    ) -> Option<Outcome> {
        let held = |this: &Self, state: &ProcState, root: &Root| this.held_by(state, call, root);
        let every_path = |root: &Root| summary.releases_on_every_path.contains(root);
        for root in &summary.shuts_down {
            let conns = held(self, state, root);
            self.release_where(state, &conns, true, every_path(root));
        }
        // A helper that forks closes and uses per side: see `apply_side_effects`.
        if summary.fork.is_none() {
            for root in &summary.closes {
                let conns = held(self, state, root);
                self.release_where(state, &conns, false, every_path(root));
            }
            if summary.closes_all {
                self.close_all(state);
            }
            for root in &summary.uses {
                let conns = held(self, state, root);
                self.note_use(key, state, &conns, call.span);
                state.resolve(&conns);
            }
        }
        // A helper that forks may start its thread after the fork, in the process that
        // returns (a session's reader thread): the thread goes with that side, not across the
        // split. One it starts before its fork is reported inside it.
        if summary.starts_thread && summary.fork.is_none() {
            let thread = ThreadId::Spawned(site_index(&mut self.thread_sites, call, None));
            state.threads.insert(thread);
        }
        if summary.runs {
            let event = RunEvent { span: call.span, kind: RunKind::Call(callee_name(call)) };
            state.mark_running(&event);
        }
        if let Some(fork) = &summary.fork {
            let site = Site {
                fork_summary: Some(ForkSummary::clone(fork)),
                fork_call: Some(call.clone()),
                threads_after_fork: summary.starts_thread,
                ..Site::new(call.span, callee_name(call), None)
            };
            return Some(Outcome::Fork(ForkId(add_site(&mut self.fork_sites, site))));
        }
        if summary.never_returns {
            self.end_process(key, state);
            return None;
        }
        for (target, origin) in &summary.stores_open {
            let conn = self.handed_out(state, call, origin);
            let Some(place_key) = self.caller_place(call, target) else { continue };
            self.name_stored(&place_key, &Value::of_conn(conn));
            Rc::make_mut(&mut state.heap).insert(place_key, Value::of_conn(conn));
        }
        for (target, source) in &summary.stores_value {
            let conns = self.held_by(state, call, source);
            let Some(place_key) = self.caller_place(call, target) else { continue };
            let mut value = state.heap.get(&place_key).cloned().unwrap_or_default();
            value.conns.extend(conns);
            Rc::make_mut(&mut state.heap).insert(place_key, value);
        }
        let returned = match &summary.returns_open {
            Some(origin) => Value::of_conn(self.handed_out(state, call, origin)),
            None => Value::default(),
        };
        Some(Outcome::Value(returned))
    }

    /// What one side of a helper's fork did to the caller's values before it left the helper.
    pub(super) fn apply_side_effects(
        &mut self,
        key: &ProcessKey,
        state: &mut ProcState,
        call: &Call,
        side: &SideSummary,
    ) {
        for root in &side.closes {
            let conns = self.held_by(state, call, root);
            self.release(state, &conns, false);
        }
        for root in &side.uses {
            let conns = self.held_by(state, call, root);
            self.note_use(key, state, &conns, call.span);
            state.resolve(&conns);
        }
    }

    /// What the caller's value at `root` holds: an argument (and its fields) or a global.
    fn held_by(&self, state: &ProcState, call: &Call, root: &Root) -> ConnSet {
        match root {
            Root::Param(index) => {
                call.args.get(*index).map(|arg| self.reachable(arg, state)).unwrap_or_default()
            }
            Root::Global(name) => state.heap_under(&global_key(name)),
        }
    }

    /// The caller's heap key for a callee's store target.
    fn caller_place(&self, call: &Call, target: &StoreTarget) -> Option<String> {
        let base = match &target.root {
            Root::Global(name) => global_key(name),
            Root::Param(index) => match call.args.get(*index)? {
                Operand::Place(place) | Operand::Ref(place) => match heap_key(place) {
                    Some(key) => key,
                    None => match place.base {
                        PlaceBase::Local(local) => local_key(local.0 as usize),
                        PlaceBase::Global(_) => return None,
                    },
                },
                _ => return None,
            },
        };
        Some(format!("{base}{}", target.path))
    }

    /// A connection opened inside a callee and handed to this function at `call`.
    fn handed_out(&mut self, state: &mut ProcState, call: &Call, origin: &OpenOrigin) -> ConnId {
        let site =
            Site { origin: Some(origin.clone()), ..Site::new(call.span, callee_name(call), None) };
        let conn = ConnId(add_site(&mut self.conn_sites, site));
        state.reopen(conn);
        if origin.listening {
            state.listening.insert(conn);
        }
        if origin.cloexec {
            state.cloexec.insert(conn);
        } else {
            state.cloexec.remove(&conn);
        }
        if origin.background_thread {
            state.threads.insert(ThreadId::Client(conn));
        }
        conn
    }
}

/// The globals a function's statements name.
fn globals_named(function: &Function) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut stack: Vec<&Operand> = Vec::new();
    for block in &function.blocks {
        for stmt in &block.stmts {
            let value = match &stmt.kind {
                StmtKind::Assign { target, value } => {
                    note_global(target, &mut names);
                    value
                }
                StmtKind::Eval(value) => value,
                StmtKind::ScopeEnd(_) => continue,
            };
            match value {
                Rvalue::Use(operand) => stack.push(operand),
                Rvalue::Call(call) => stack.extend(&call.args),
            }
            while let Some(operand) = stack.pop() {
                match operand {
                    Operand::Place(place) | Operand::Ref(place) => note_global(place, &mut names),
                    Operand::Expr(parts) => stack.extend(parts),
                    _ => {}
                }
            }
        }
    }
    names
}

fn note_global(place: &Place, names: &mut BTreeSet<String>) {
    if let PlaceBase::Global(name) = &place.base {
        if !names.contains(name) {
            names.insert(name.clone());
        }
    }
}
