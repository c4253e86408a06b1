//! A readable dump of the IR, one line per statement: what the frontends' snapshot tests
//! compare and what `fdlint --dump-ir` prints to explain a finding.

use std::fmt::{self, Display, Formatter, Write};

use super::*;

impl Display for LoweredFile {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for glob in &self.glob_imports {
            writeln!(f, "use {glob}::*")?;
        }
        for error in &self.errors {
            writeln!(f, "error {}..{}: {}", error.span.start, error.span.end, error.message)?;
        }
        for function in &self.functions {
            write!(f, "{function}")?;
        }
        Ok(())
    }
}

impl Display for Function {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let names: Vec<String> =
            self.locals.iter().enumerate().map(|(i, l)| format!("_{i}:{}", l.name)).collect();
        writeln!(f, "fn {} params={} locals=[{}]", self.name, self.param_count, names.join(", "))?;
        for (index, block) in self.blocks.iter().enumerate() {
            let head = if block.loop_head { " (loop head)" } else { "" };
            writeln!(f, "  bb{index}{head}:")?;
            for stmt in &block.stmts {
                writeln!(f, "    {}", stmt.kind)?;
            }
            writeln!(f, "    {}", block.term)?;
        }
        Ok(())
    }
}

impl Display for StmtKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            StmtKind::Assign { target, value } => write!(f, "{target} = {value}"),
            StmtKind::Eval(value) => write!(f, "eval {value}"),
            StmtKind::ScopeEnd(local) => write!(f, "scope_end _{}", local.0),
        }
    }
}

impl Display for Rvalue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Rvalue::Use(operand) => write!(f, "{operand}"),
            Rvalue::Call(call) => write!(f, "{call}"),
        }
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.callee {
            Callee::Path(path) => write!(f, "call {path}(")?,
            Callee::Method(name) => write!(f, "method {name}(")?,
            Callee::Unknown => f.write_str("call ?(")?,
        }
        write_list(f, &self.args)?;
        f.write_char(')')
    }
}

fn write_list(f: &mut Formatter<'_>, operands: &[Operand]) -> fmt::Result {
    for (i, operand) in operands.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{operand}")?;
    }
    Ok(())
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Place(place) => write!(f, "{place}"),
            Operand::Ref(place) => write!(f, "&{place}"),
            Operand::Int(value) => write!(f, "{value}"),
            Operand::Str(text) => write!(f, "{text:?}"),
            Operand::Const(name) => write!(f, "const {name}"),
            Operand::Expr(parts) => {
                f.write_str("expr(")?;
                write_list(f, parts)?;
                f.write_char(')')
            }
            Operand::Unknown => f.write_char('?'),
        }
    }
}

impl Display for Place {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.base {
            PlaceBase::Local(id) => write!(f, "_{}", id.0)?,
            PlaceBase::Global(name) => write!(f, "global {name}")?,
        }
        for projection in &self.projections {
            match projection {
                Projection::Field(name) => write!(f, ".{name}")?,
                Projection::Deref => f.write_str(".*")?,
                Projection::Index => f.write_str("[]")?,
            }
        }
        Ok(())
    }
}

impl Display for Terminator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Terminator::Goto(target) => write!(f, "goto bb{}", target.0),
            Terminator::Branch { cond, then, otherwise, .. } => {
                write!(f, "if {cond} then bb{} else bb{}", then.0, otherwise.0)
            }
            Terminator::Return { value: Some(value), .. } => write!(f, "return {value}"),
            Terminator::Return { value: None, .. } => f.write_str("return"),
            Terminator::Unreachable => f.write_str("unreachable"),
        }
    }
}

impl Display for Cond {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Truthy(operand) => write!(f, "{operand}"),
            Cond::Not(inner) => write!(f, "!({inner})"),
            Cond::Compare { op, lhs, rhs } => write!(f, "{lhs} {} {rhs}", op.symbol()),
            Cond::Matches { value, pattern } => write!(f, "let {pattern} = {value}"),
            Cond::Unknown => f.write_char('?'),
        }
    }
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Wild => f.write_char('_'),
            Pattern::Bind(local) => write!(f, "_{}", local.0),
            Pattern::Int(value) => write!(f, "{value}"),
            Pattern::Ctor { name, fields } if fields.is_empty() => f.write_str(name),
            Pattern::Ctor { name, fields } => {
                write!(f, "{name}(")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{field}")?;
                }
                f.write_char(')')
            }
            Pattern::Or(alternatives) => {
                for (i, alternative) in alternatives.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{alternative}")?;
                }
                Ok(())
            }
            Pattern::Unknown => f.write_str("<?>"),
        }
    }
}
