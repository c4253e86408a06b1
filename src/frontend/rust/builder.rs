//! The control-flow graph of one function under construction: blocks, locals, the lexical
//! scopes that decide where `ScopeEnd`s go, and the loops `break`/`continue` can leave.
//!
//! Invariant: there is always a current block that is not yet terminated. Terminating it
//! (return, break, panic!, …) immediately opens a fresh block with no predecessors, so code
//! after a diverging statement is lowered into dead blocks instead of corrupting live ones.

use crate::ir::{
    Block, BlockId, BranchEntry, Function, Local, LocalId, Operand, Place, PlaceBase, Rvalue, Span,
    Stmt, StmtKind, Terminator,
};

use super::imports::Imports;

pub(super) struct FnBuilder<'i> {
    pub(super) imports: &'i Imports,
    locals: Vec<Local>,
    /// Built in place: a block left open keeps the `Unreachable` it starts with.
    blocks: Vec<Block>,
    /// Whether each block has its terminator.
    terminated: Vec<bool>,
    current: BlockId,
    scopes: Vec<Scope>,
    loops: Vec<LoopFrame>,
    temp_count: u32,
    declarations: Vec<Span>,
}

/// One lexical scope: the locals it declared (dropped in reverse at its end) and those it
/// binds by their names, latest last (a scope holds few: a search beats hashing).
#[derive(Default)]
struct Scope {
    declared: Vec<LocalId>,
    bound: Vec<LocalId>,
}

/// Where `break` and `continue` go from inside a loop or labelled block.
#[derive(Clone)]
pub(super) struct LoopFrame {
    pub(super) label: Option<String>,
    pub(super) break_to: BlockId,
    /// `None` for a labelled block, which `continue` cannot target.
    pub(super) continue_to: Option<BlockId>,
    /// How many scopes were open outside the loop; leaving it ends the scopes above.
    pub(super) scope_depth: usize,
    /// Where `break value` stores its value.
    pub(super) dest: Option<Place>,
}

impl<'i> FnBuilder<'i> {
    pub(super) fn new(imports: &'i Imports, entry_span: Span) -> Self {
        let mut builder = FnBuilder {
            imports,
            locals: Vec::new(),
            blocks: Vec::new(),
            terminated: Vec::new(),
            current: BlockId(0),
            scopes: Vec::new(),
            loops: Vec::new(),
            temp_count: 0,
            declarations: Vec::new(),
        };
        builder.current = builder.new_block(entry_span);
        builder
    }

    pub(super) fn finish(
        self,
        name: String,
        span: Span,
        name_span: Span,
        params: usize,
        attributes: Vec<String>,
    ) -> Function {
        Function {
            name,
            span,
            name_span,
            locals: self.locals,
            param_count: params,
            blocks: self.blocks,
            attributes,
            declarations: self.declarations,
        }
    }

    pub(super) fn note_declaration(&mut self, span: Span) {
        self.declarations.push(span);
    }

    // ---- blocks ----

    pub(super) fn new_block(&mut self, span: Span) -> BlockId {
        let id = BlockId(self.blocks.len() as u32);
        // Control never reaches the end of a block left open: only dead blocks are.
        let term = Terminator::Unreachable;
        let block = Block { stmts: Vec::new(), term, loop_head: false, span, entry: None };
        self.blocks.push(block);
        self.terminated.push(false);
        id
    }

    pub(super) fn set_entry(&mut self, block: BlockId, entry: BranchEntry) {
        self.blocks[block.0 as usize].entry = Some(entry);
    }

    pub(super) fn mark_loop_head(&mut self, block: BlockId) {
        self.blocks[block.0 as usize].loop_head = true;
    }

    pub(super) fn switch_to(&mut self, block: BlockId) {
        self.current = block;
    }

    pub(super) fn push_stmt(&mut self, kind: StmtKind, span: Span) {
        self.blocks[self.current.0 as usize].stmts.push(Stmt { kind, span });
    }

    /// Ends the current block. Only the first terminator counts, so a block that already
    /// diverged is never rewired.
    pub(super) fn terminate(&mut self, term: Terminator) {
        let current = self.current.0 as usize;
        if !self.terminated[current] {
            self.blocks[current].term = term;
            self.terminated[current] = true;
        }
    }

    pub(super) fn goto(&mut self, target: BlockId) {
        self.terminate(Terminator::Goto(target));
    }

    /// Ends the current block with a terminator control does not come back from, and carries
    /// on in a fresh, unreachable block.
    pub(super) fn diverge(&mut self, term: Terminator, span: Span) {
        self.terminate(term);
        self.switch_to_fresh_block(span);
    }

    pub(super) fn switch_to_fresh_block(&mut self, span: Span) {
        self.current = self.new_block(span);
    }

    // ---- locals and scopes ----

    /// A new local, not yet visible by name nor owned by a scope.
    pub(super) fn new_local(&mut self, name: String, span: Span) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local { name, span });
        id
    }

    /// A fresh temporary `$n` holding a hoisted value; temporaries get no `ScopeEnd`.
    pub(super) fn new_temp(&mut self, span: Span) -> Place {
        let name = format!("${}", self.temp_count);
        self.temp_count += 1;
        Place::local(self.new_local(name, span))
    }

    pub(super) fn local_count(&self) -> usize {
        self.locals.len()
    }

    pub(super) fn is_temp(&self, id: LocalId) -> bool {
        self.locals.get(id.0 as usize).is_some_and(|local| local.name.starts_with('$'))
    }

    /// Makes the bindings (locals a pattern bound, not yet visible: Rust binds after the
    /// initialiser) visible by their names and owned by the innermost scope.
    pub(super) fn bring_into_scope(&mut self, bindings: &[LocalId]) {
        for &id in bindings {
            self.declare(id);
        }
    }

    pub(super) fn declare(&mut self, id: LocalId) {
        if self.scopes.is_empty() {
            self.scopes.push(Scope::default());
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.declared.push(id);
            scope.bound.push(id);
        }
    }

    /// The local borrows what it names (`&mut self`): its scope's end drops nothing.
    pub(super) fn borrowed(&mut self, id: LocalId) {
        for scope in &mut self.scopes {
            scope.declared.retain(|declared| *declared != id);
        }
    }

    pub(super) fn lookup(&self, name: &str) -> Option<LocalId> {
        self.lookup_by(|bound| bound == name)
    }

    /// `lookup` of an identifier, compared without building its text.
    pub(super) fn lookup_ident(&self, ident: &proc_macro2::Ident) -> Option<LocalId> {
        self.lookup_by(|bound| ident == bound)
    }

    /// The innermost, latest binding whose name matches.
    fn lookup_by(&self, matches: impl Fn(&str) -> bool) -> Option<LocalId> {
        let mut bindings = self.scopes.iter().rev().flat_map(|scope| scope.bound.iter().rev());
        bindings.find(|id| matches(&self.locals[id.0 as usize].name)).copied()
    }

    pub(super) fn push_scope(&mut self) {
        self.scopes.push(Scope::default());
    }

    /// Leaves the innermost scope normally: its locals end, latest first.
    pub(super) fn pop_scope(&mut self, span: Span) {
        if let Some(scope) = self.scopes.pop() {
            for &local in scope.declared.iter().rev() {
                self.push_stmt(StmtKind::ScopeEnd(local), span);
            }
        }
    }

    pub(super) fn scope_depth(&self) -> usize {
        self.scopes.len()
    }

    /// Ends the locals of every scope above `depth`, innermost first, without popping them:
    /// for `return`, `?`, `break` and `continue`, which leave scopes on one path only.
    pub(super) fn end_scopes_above(&mut self, depth: usize, span: Span) {
        let ended: Vec<LocalId> = self
            .scopes
            .iter()
            .skip(depth)
            .rev()
            .flat_map(|scope| scope.declared.iter().rev().copied())
            .collect();
        for local in ended {
            self.push_stmt(StmtKind::ScopeEnd(local), span);
        }
    }

    /// Whether the operand reads a named local (not a temporary). Such a value is moved into
    /// a temporary before a return, so the move is visible before the local's `ScopeEnd`.
    pub(super) fn reads_named_local(&self, operand: &Operand) -> bool {
        match operand {
            Operand::Place(place) | Operand::Ref(place) => match place.base {
                PlaceBase::Local(id) => !self.is_temp(id),
                PlaceBase::Global(_) => false,
            },
            Operand::Expr(parts) => parts.iter().any(|part| self.reads_named_local(part)),
            _ => false,
        }
    }

    // ---- loops ----

    pub(super) fn push_loop(&mut self, frame: LoopFrame) {
        self.loops.push(frame);
    }

    pub(super) fn pop_loop(&mut self) {
        self.loops.pop();
    }

    /// The target of `break`/`continue` with this label; without a label, the innermost
    /// real loop (labelled blocks only take labelled breaks).
    pub(super) fn find_loop(&self, label: Option<&str>) -> Option<LoopFrame> {
        let found = match label {
            Some(label) => self.loops.iter().rev().find(|f| f.label.as_deref() == Some(label)),
            None => self.loops.iter().rev().find(|frame| frame.continue_to.is_some()),
        };
        found.cloned()
    }

    // ---- statements ----

    /// Stores `value` in `dest`, or evaluates it for its effect.
    pub(super) fn emit(&mut self, dest: &Dest, value: Rvalue, span: Span) {
        match dest {
            Dest::Into(target) => {
                self.push_stmt(StmtKind::Assign { target: target.clone(), value }, span)
            }
            Dest::Discard => {
                if !is_inert(&value) {
                    self.push_stmt(StmtKind::Eval(value), span)
                }
            }
        }
    }
}

/// Where the value of an expression goes.
#[derive(Clone)]
pub(super) enum Dest {
    /// The value is not used (`f();`).
    Discard,
    /// The value is stored in this place (`let x = e`, a temporary, a block's result).
    Into(Place),
}

/// A discarded value that reads nothing is not worth a statement.
fn is_inert(value: &Rvalue) -> bool {
    match value {
        Rvalue::Call(_) => false,
        Rvalue::Use(operand) => operand_is_inert(operand),
    }
}

fn operand_is_inert(operand: &Operand) -> bool {
    match operand {
        Operand::Place(_) | Operand::Ref(_) => false,
        Operand::Expr(parts) => parts.iter().all(operand_is_inert),
        Operand::Int(_) | Operand::Str(_) | Operand::Const(_) | Operand::Unknown => true,
    }
}
