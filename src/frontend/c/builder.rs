//! The state of one function under construction: its locals and scopes, its blocks and the
//! block that statements currently go into, and the targets of `break`/`continue`/`goto`.

use std::collections::HashMap;

use tree_sitter::Node;

use crate::ir::{
    Block, BlockId, BranchEntry, Function, Local, LocalId, Operand, Place, Rvalue, Span, Stmt,
    StmtKind, SyntaxError, Terminator,
};

use super::syntax::span_of;

/// How deep statements and expressions may nest before the rest is skipped: deep enough
/// for any real code, shallow enough that the recursive walk never exhausts the stack
/// (about 450 KB at the bound in a debug build, half that in release; threads get 2 MB).
const MAX_DEPTH: usize = 200;

/// Where `break` and `continue` go inside one loop or switch.
pub(super) struct JumpTargets {
    pub break_to: BlockId,
    /// `None` for a switch: `continue` inside it belongs to the enclosing loop.
    pub continue_to: Option<BlockId>,
}

pub(super) struct FnBuilder<'a> {
    pub text: &'a str,
    pub errors: Vec<SyntaxError>,
    locals: Vec<Local>,
    param_count: usize,
    /// Innermost scope last; each maps names declared in it (slices of the text: no copy)
    /// to their locals.
    scopes: Vec<Vec<(&'a str, LocalId)>>,
    blocks: Vec<Block>,
    /// The block statements go into; `None` right after a jump, until code follows.
    current: Option<BlockId>,
    next_temp: usize,
    pub jump_targets: Vec<JumpTargets>,
    labels: HashMap<&'a str, BlockId>,
    depth: usize,
    reported_too_deep: bool,
    pub declarations: Vec<Span>,
}

impl<'a> FnBuilder<'a> {
    pub fn new(text: &'a str, entry_span: Span) -> Self {
        let mut builder = FnBuilder {
            text,
            errors: Vec::new(),
            locals: Vec::new(),
            param_count: 0,
            scopes: vec![Vec::new()],
            blocks: Vec::new(),
            current: None,
            next_temp: 0,
            jump_targets: Vec::new(),
            labels: HashMap::new(),
            depth: 0,
            reported_too_deep: false,
            declarations: Vec::new(),
        };
        let entry = builder.new_block(entry_span);
        builder.current = Some(entry);
        builder
    }

    pub fn finish(self, name: String, span: Span, name_span: Span) -> (Function, Vec<SyntaxError>) {
        let function = Function {
            name,
            span,
            name_span,
            locals: self.locals,
            param_count: self.param_count,
            blocks: self.blocks,
            attributes: Vec::new(),
            declarations: self.declarations,
        };
        (function, self.errors)
    }

    // --- nesting bound -------------------------------------------------------------------

    /// Enters one level of nesting; `false` (and one error per function) past the bound,
    /// in which case the caller skips the node instead of recursing.
    #[inline]
    pub fn enter(&mut self, node: Node<'_>) -> bool {
        if self.depth >= MAX_DEPTH {
            self.too_deep(node);
            return false;
        }
        self.depth += 1;
        true
    }

    /// Apart from `enter`, which runs for every node: its error would make every call
    /// save and restore registers.
    #[cold]
    #[inline(never)]
    fn too_deep(&mut self, node: Node<'_>) {
        if !self.reported_too_deep {
            self.reported_too_deep = true;
            self.errors
                .push(SyntaxError { span: span_of(node), message: "nesting too deep".to_string() });
        }
    }

    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // --- locals and scopes ---------------------------------------------------------------

    pub fn declare(&mut self, name: &'a str, span: Span) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local { name: name.to_string(), span });
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name, id));
        }
        id
    }

    pub fn declare_param(&mut self, name: &'a str, span: Span) {
        self.declare(name, span);
        self.param_count = self.locals.len();
    }

    pub fn lookup(&self, name: &str) -> Option<LocalId> {
        let mut scopes = self.scopes.iter().rev();
        scopes.find_map(|scope| scope.iter().rev().find(|(n, _)| *n == name).map(|(_, id)| *id))
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub fn pop_scope(&mut self) {
        // The function's own scope (parameters) is never popped.
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    /// A fresh temporary (`$0`, `$1`, ...) holding a hoisted value; not visible by name.
    pub fn new_temp(&mut self, span: Span) -> LocalId {
        let id = LocalId(self.locals.len() as u32);
        self.locals.push(Local { name: format!("${}", self.next_temp), span });
        self.next_temp += 1;
        id
    }

    /// Emits `$n = value` and returns the temporary as an operand.
    pub fn hoist(&mut self, value: Rvalue, span: Span) -> Operand {
        let temp = self.new_temp(span);
        self.emit(StmtKind::Assign { target: Place::local(temp), value }, span);
        Operand::Place(Place::local(temp))
    }

    // --- blocks --------------------------------------------------------------------------

    pub fn new_block(&mut self, span: Span) -> BlockId {
        let id = BlockId(self.blocks.len() as u32);
        self.blocks.push(Block {
            stmts: Vec::new(),
            term: Terminator::Unreachable,
            loop_head: false,
            span,
            entry: None,
        });
        id
    }

    pub fn new_loop_head(&mut self, span: Span) -> BlockId {
        let id = self.new_block(span);
        if let Some(block) = self.blocks.get_mut(id.0 as usize) {
            block.loop_head = true;
        }
        id
    }

    /// The block to append to; after a jump, a fresh (unreachable) block, so dead code
    /// still lowers.
    fn current_block(&mut self, span: Span) -> BlockId {
        match self.current {
            Some(id) => id,
            None => {
                let id = self.new_block(span);
                self.current = Some(id);
                id
            }
        }
    }

    pub fn emit(&mut self, kind: StmtKind, span: Span) {
        let id = self.current_block(span);
        if let Some(block) = self.blocks.get_mut(id.0 as usize) {
            block.stmts.push(Stmt { kind, span });
        }
    }

    /// Ends the current block with `term`; code after it starts a new block. Right after
    /// another jump there is no block to end (`return; }` or `break;` at the end of an
    /// `if`), so nothing is emitted.
    pub fn terminate(&mut self, term: Terminator) {
        if let Some(block) = self.current.and_then(|id| self.blocks.get_mut(id.0 as usize)) {
            block.term = term;
        }
        self.current = None;
    }

    pub fn goto(&mut self, target: BlockId) {
        self.terminate(Terminator::Goto(target));
    }

    /// Continues in `target`, falling through into it from the current block if that block
    /// is still open.
    pub fn fall_into(&mut self, target: BlockId) {
        if let Some(id) = self.current {
            if let Some(block) = self.blocks.get_mut(id.0 as usize) {
                block.term = Terminator::Goto(target);
            }
        }
        self.current = Some(target);
    }

    pub fn set_block_entry(&mut self, id: BlockId, entry: BranchEntry) {
        if let Some(block) = self.blocks.get_mut(id.0 as usize) {
            block.entry = Some(entry);
        }
    }

    pub fn set_block_span(&mut self, id: BlockId, span: Span) {
        if let Some(block) = self.blocks.get_mut(id.0 as usize) {
            block.span = span;
        }
    }

    /// The block of a `goto` label, created on first mention so later labels work.
    pub fn label_block(&mut self, name: &'a str, span: Span) -> BlockId {
        if let Some(id) = self.labels.get(name) {
            return *id;
        }
        let id = self.new_block(span);
        self.labels.insert(name, id);
        id
    }

    /// Ends the function's last block when control falls off the closing brace: a
    /// return if anything can reach it, unreachable if nothing jumps there (the code
    /// after an endless loop).
    pub fn fall_off_end(&mut self, brace: Span) {
        let Some(id) = self.current else { return };
        let reachable = id.0 == 0 || self.has_predecessor(id);
        let term = if reachable {
            Terminator::Return { value: None, span: brace }
        } else {
            Terminator::Unreachable
        };
        self.terminate(term);
    }

    fn has_predecessor(&self, target: BlockId) -> bool {
        self.blocks.iter().any(|block| match &block.term {
            Terminator::Goto(to) => *to == target,
            Terminator::Branch { then, otherwise, .. } => *then == target || *otherwise == target,
            _ => false,
        })
    }
}
