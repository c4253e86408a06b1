//! Turning the final states into facts: what each process still owes where it ends.

use super::*;

impl<'a> FunctionAnalysis<'a> {
    pub(super) fn report_unresolved(&mut self, key: &ProcessKey, state: &ProcState) {
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
    pub(super) fn report_endless_loops(&mut self, entry_states: &[Flow]) {
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
                // The process ends nowhere but here, as far as a summary is concerned.
                self.process_ends.push((key.clone(), state));
            }
        }
    }

    /// Backwards reachability over (block, process) nodes from those where the process ends:
    /// one walk along reversed edges, linear in the edges (sweeping every edge until nothing
    /// changed was quadratic in a long loop body).
    pub(super) fn nodes_that_can_end(&mut self) -> BTreeSet<Node> {
        let mut edges = std::mem::take(&mut self.same_process_edges);
        // By the node they lead to: a node's predecessors are one run of edges.
        edges.sort_unstable_by(|(from, to), (other_from, other_to)| {
            (to, from).cmp(&(other_to, other_from))
        });
        edges.dedup();
        self.statements_visited += edges.len();
        let mut pending = std::mem::take(&mut self.ended);
        let mut can_end: BTreeSet<Node> = pending.iter().cloned().collect();
        while let Some(node) = pending.pop() {
            let first = edges.partition_point(|(_, to)| *to < node);
            for (predecessor, _) in edges[first..].iter().take_while(|(_, to)| *to == node) {
                if can_end.insert(predecessor.clone()) {
                    pending.push(predecessor.clone());
                }
            }
        }
        can_end
    }

    pub(super) fn connection(&self, conn: ConnId) -> Connection {
        let site = &self.conn_sites[conn.0 as usize];
        let what = match &site.origin {
            Some(origin) => origin.what.clone(),
            None => site
                .model
                .as_ref()
                .and_then(|m| m.what.clone())
                .unwrap_or_else(|| "connection".into()),
        };
        let opened_in = site.origin.as_ref().map(|origin| Located {
            file: origin.file,
            span: origin.span,
            function: origin.function.clone(),
        });
        let model = site.model.as_ref();
        let flag = model.and_then(|m| m.cloexec_flag.clone());
        Connection {
            name: self.conn_names.get(&conn).cloned().unwrap_or_else(|| site.callee.clone()),
            open_span: site.span,
            opener: site.callee.clone(),
            what,
            opened_in,
            stored: self.stored.contains(&conn),
            socket: model.and_then(|m| m.socket),
            flags: site.flags_span.zip(flag),
        }
    }

    /// When a fork happened inside a called function of the run: where.
    pub(super) fn fork_inside(&self, fork: ForkId) -> Option<Located> {
        self.fork_sites[fork.0 as usize].fork_summary.as_ref().map(|_| self.fork_located(fork))
    }

    pub(super) fn into_facts(self) -> Facts {
        let mut leaks = Vec::new();
        for ((fork, conn), sides) in &self.leaks {
            if self.shut_down.contains(&(*fork, *conn)) {
                continue;
            }
            // A side that uses the connection on some path owns it: an error path of that
            // side that ends without it (`cleanup_exit(1)`) is not a leak of its own.
            let sides: Vec<(Side, RunEvent)> = sides
                .iter()
                .filter(|(side, _)| !self.owners.contains(&(*fork, *conn, **side)))
                .map(|(side, event)| (*side, event.clone()))
                .collect();
            if sides.is_empty() {
                continue;
            }
            let fork_site = &self.fork_sites[fork.0 as usize];
            let branches = [Side::Parent, Side::Child]
                .into_iter()
                .filter_map(|side| Some((side, *self.branch_entries.get(&(*fork, side))?)))
                .collect();
            let closes = self.closes.get(&(*fork, *conn));
            leaks.push(ForkLeak {
                function: self.function.name.clone(),
                fork_span: fork_site.span,
                fork_callee: fork_site.callee.clone(),
                fork_inside: self.fork_inside(*fork),
                connection: self.connection(*conn),
                sides,
                branches,
                closes: closes.into_iter().flatten().map(|(side, site)| (*side, *site)).collect(),
                users: self
                    .uses
                    .get(&(*fork, *conn))
                    .into_iter()
                    .flatten()
                    .map(|(s, _)| *s)
                    .collect(),
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
        let shared_uses = self.shared_uses();
        let thread_forks = self.thread_forks();
        Facts { file: self.context.file, leaks, exec_leaks, shared_uses, thread_forks }
    }

    fn shared_uses(&self) -> Vec<SharedUse> {
        let mut shared = Vec::new();
        for ((fork, conn), sides) in &self.uses {
            let (Some(parent_use), Some(child_use)) =
                (sides.get(&Side::Parent), sides.get(&Side::Child))
            else {
                continue;
            };
            if self.shut_down.contains(&(*fork, *conn)) {
                continue;
            }
            let fork_site = &self.fork_sites[fork.0 as usize];
            shared.push(SharedUse {
                fork_span: fork_site.span,
                fork_callee: fork_site.callee.clone(),
                fork_inside: self.fork_inside(*fork),
                connection: self.connection(*conn),
                parent_use: *parent_use,
                child_use: *child_use,
            });
        }
        shared
    }

    fn thread_forks(&self) -> Vec<ThreadFork> {
        let attribute = || self.function.attributes.join(", ");
        self.thread_forks
            .iter()
            .map(|(fork_span, (fork_callee, thread, fork_inside))| {
                let (thread_span, thread_what) = match thread {
                    ThreadId::Spawned(site) => {
                        let site = &self.thread_sites[*site as usize];
                        (site.span, format!("`{}`", site.callee))
                    }
                    ThreadId::Client(conn) => {
                        let connection = self.connection(*conn);
                        (
                            connection.open_span,
                            format!("the {} `{}`", connection.what, connection.name),
                        )
                    }
                    ThreadId::Entry => (self.function.name_span, format!("`#[{}]`", attribute())),
                };
                ThreadFork {
                    fork_span: *fork_span,
                    fork_callee: fork_callee.clone(),
                    fork_inside: fork_inside.clone(),
                    thread_span,
                    thread_what,
                }
            })
            .collect()
    }
}
