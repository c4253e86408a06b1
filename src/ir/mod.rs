//! The language-neutral intermediate representation.
//!
//! Architecture invariant: the IR is a plain value. Frontends build it, the analysis reads it;
//! nothing here knows C or Rust, lints or outputs. Every function is a control-flow graph of
//! basic blocks holding a handful of statement kinds, each with the byte span it came from.

mod display;
mod edit;
mod positions;

pub use edit::TextEdit;

use serde::{Deserialize, Serialize};

/// A byte range in one source file (`start..end`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// The source language a file was lowered from. The analysis uses it only to pick the catalog
/// table whose names apply to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    C,
    Rust,
}

/// Everything a frontend produced for one file. Lowering never fails: a file with syntax
/// errors still yields the functions that could be read, and the errors beside them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoweredFile {
    pub functions: Vec<Function>,
    pub errors: Vec<SyntaxError>,
    /// Namespaces opened wholesale (`use nix::unistd::*;`): a callee name that the catalog
    /// does not know may be looked up under each of these prefixes (`prefix::name`).
    pub glob_imports: Vec<String>,
    /// Rust: where a new top-level `use` item goes, for fix-its that need an import.
    #[serde(default)]
    pub use_site: Option<UseSite>,
    /// Rust: what the file's top-level `use` items import, as (name, full path)
    /// (`Shutdown`, `std::net::Shutdown`).
    #[serde(default)]
    pub top_imports: Vec<(String, String)>,
}

impl LoweredFile {
    /// Whether the file parsed: a Rust file that does not parse yields its errors and no
    /// function (a C file always yields what tree-sitter recovered).
    pub fn parses(&self) -> bool {
        !self.functions.is_empty() || self.errors.is_empty()
    }
}

/// Where a new `use` item goes: after the last top-level one (`after_use`), or before the
/// first item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseSite {
    pub at: usize,
    pub after_use: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BlockId(pub u32);

/// One function (or method) as a control-flow graph. `blocks[0]` is the entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Function {
    /// The function's own name (`main`, `spawn_worker`; methods as `Type::method`).
    pub name: String,
    pub span: Span,
    pub name_span: Span,
    /// Every variable of the function: parameters first, then each binding in order of
    /// appearance. Shadowing and inner scopes get distinct locals even with the same name.
    pub locals: Vec<Local>,
    /// How many of `locals` (from the start) are parameters.
    pub param_count: usize,
    pub blocks: Vec<Block>,
    /// Attributes on the function as written (`tokio::main`): some start threads.
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Every statement that declares variables with a value (`let x = ..;`, `int x = ..;`),
    /// whole, for fix-its that move one.
    #[serde(default)]
    pub declarations: Vec<Span>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Local {
    pub name: String,
    /// Where it is declared.
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub term: Terminator,
    /// The header of a loop: control comes back here on every iteration.
    pub loop_head: bool,
    /// Where the block starts in the source (the first statement, or the construct that
    /// opened the block); used to point at a branch.
    pub span: Span,
    /// Set when the block begins a branch as written (an `if` or `else` body, a `match` arm,
    /// or the `else` an `if` lacks), so fix-its can insert code at its start.
    #[serde(default)]
    pub entry: Option<BranchEntry>,
}

/// Where a branch begins in the source: plain spans, filled by the frontends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BranchEntry {
    /// The branch's body: a braced block (`{ .. }`, the span covering the braces) or a single
    /// statement or expression without braces.
    Body { span: Span, braced: bool },
    /// The `else` an `if` lacks: an `else` branch would go right after the `then` body.
    MissingElse {
        /// The start of the `if` (its line gives the indentation).
        if_start: usize,
        /// The `then` body, and whether it is braced.
        then_body: Span,
        then_braced: bool,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// Every call is a statement of its own: frontends hoist a call nested in an argument or a
/// condition into a fresh temporary local assigned just before (`close(socket(..))` becomes
/// `$0 = socket(..); close($0)`), so the analysis sees effects in evaluation order and a
/// condition never calls anything.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum StmtKind {
    /// `target = value` (C declaration with initialiser, assignment; Rust `let`, assignment).
    Assign { target: Place, value: Rvalue },
    /// An expression evaluated for its effect; its value is discarded (`close(fd);`).
    Eval(Rvalue),
    /// The local goes out of scope here. Rust drops what it still owns; C emits none.
    ScopeEnd(LocalId),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Rvalue {
    Use(Operand),
    Call(Call),
}

/// A call. Method calls put the receiver first in `args`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub callee: Callee,
    pub args: Vec<Operand>,
    /// The whole call expression.
    pub span: Span,
    /// The callee's name (the path or the method name), for pointing at it.
    pub callee_span: Span,
    /// Each argument as written (method calls: the receiver first), for fix-its that edit
    /// one; empty when the frontend could not say.
    #[serde(default)]
    pub arg_spans: Vec<Span>,
}

/// The last segments of the function names a file defines and of the names it calls, sorted:
/// what the run needs to analyse callees before callers, and to tell which functions can
/// matter to a finding at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileNames {
    pub defined: Vec<String>,
    pub called: Vec<String>,
    /// Who calls what: every function, and the calls outside all of them.
    pub functions: Vec<FunctionNames>,
    /// The reader could not tell where the file's functions begin and end (unbalanced braces):
    /// any function of the file may call any name it calls.
    pub opaque: bool,
}

impl FileNames {
    /// From the names a file defines and calls (sorted, each once), and each function's name
    /// and calls (`None`: the calls outside every function), which become indices into them.
    pub fn of<'a>(
        defined: Vec<&'a str>,
        called: Vec<&'a str>,
        functions: impl IntoIterator<Item = (Option<&'a str>, Vec<&'a str>)>,
        opaque: bool,
    ) -> FileNames {
        let index_in = |names: &[&str], name: &str| {
            names.binary_search(&name).ok().and_then(|at| u32::try_from(at).ok())
        };
        let functions = functions
            .into_iter()
            .map(|(name, calls)| {
                let mut calls: Vec<u32> =
                    calls.into_iter().filter_map(|call| index_in(&called, call)).collect();
                calls.sort_unstable();
                calls.dedup();
                FunctionNames { name: name.and_then(|name| index_in(&defined, name)), calls }
            })
            .collect();
        let owned = |names: Vec<&str>| names.into_iter().map(str::to_string).collect();
        FileNames { defined: owned(defined), called: owned(called), functions, opaque }
    }
}

/// One function of a file as a name reader saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionNames {
    /// Its name, an index into `FileNames::defined`; `None` for the calls made outside every
    /// function (an initialiser, a macro).
    pub name: Option<u32>,
    /// What it calls, as indices into `FileNames::called`, sorted.
    pub calls: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Callee {
    /// A free function or associated function, its path resolved through the file's imports
    /// (`nix::unistd::fork`, `std::net::TcpStream::connect`; C: `socket`).
    Path(String),
    /// A method call by name (`shutdown`, `unwrap`); the receiver is `args[0]`.
    Method(String),
    /// A call through something that is not a name (a function pointer expression, a closure
    /// call, a macro the frontend cannot read).
    Unknown,
}

/// A value read by a statement or a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operand {
    /// Reading (or, in Rust, moving) a place.
    Place(Place),
    /// Taking a reference to a place (`&s`, `&mut s`, C `&fd`): the place is not moved.
    Ref(Place),
    Int(i64),
    Str(String),
    /// A named constant or path that is not a variable (`SOCK_STREAM`, `Shutdown::Both`).
    Const(String),
    /// Some computation over these operands whose value is unknown (`a + b`, `flags | X`,
    /// `(int *)zh`, a struct literal). Keeps what it mentions so uses are not lost.
    Expr(Vec<Operand>),
    Unknown,
}

/// A storage location: a local or a global, possibly through fields, dereferences and
/// indexing (`ctx->zk_fd` is `ctx` then `Deref`, `Field("zk_fd")`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub base: PlaceBase,
    pub projections: Vec<Projection>,
}

impl Place {
    pub fn local(id: LocalId) -> Self {
        Place { base: PlaceBase::Local(id), projections: Vec::new() }
    }

    pub fn global(name: impl Into<String>) -> Self {
        Place { base: PlaceBase::Global(name.into()), projections: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceBase {
    Local(LocalId),
    /// A name not declared in the function: a global, a `static`, or an unknown identifier.
    Global(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Projection {
    Field(String),
    Deref,
    Index,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Terminator {
    Goto(BlockId),
    /// Two-way branch. `&&`, `||` and `!` on whole conditions are lowered into nested
    /// branches by the frontends where they can; `Cond::Not` remains for a negated operand.
    Branch {
        cond: Cond,
        then: BlockId,
        otherwise: BlockId,
        span: Span,
    },
    Return {
        value: Option<Operand>,
        span: Span,
    },
    /// Control never gets here (after `panic!`, `unreachable!`, the end of an infinite loop).
    Unreachable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cond {
    /// Non-zero / true (`if (pid)`, `if (fork())`, `if flag`).
    Truthy(Operand),
    Not(Box<Cond>),
    Compare {
        op: CmpOp,
        lhs: Operand,
        rhs: Operand,
    },
    /// `if let PATTERN = value`, or one `match` arm (C `case` labels become `Compare`).
    Matches {
        value: Operand,
        pattern: Pattern,
    },
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator with its operands swapped: `k < x` is `x > k`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            same => same,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pattern {
    /// `_`, `..`, or anything that matches every value.
    Wild,
    /// Binds the matched value to the local (and matches everything).
    Bind(LocalId),
    Int(i64),
    /// A constructor by the last segment of its path (`Ok`, `Child` for
    /// `ForkResult::Child`, `Parent` for `Fork::Parent(pid)`), with its sub-patterns.
    Ctor {
        name: String,
        fields: Vec<Pattern>,
    },
    Or(Vec<Pattern>),
    /// A range, a literal of another kind, or a shape the frontend does not model: may or
    /// may not match.
    Unknown,
}
