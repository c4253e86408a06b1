//! Moving a declaration (`let stream = connect(..);`, `zhandle_t *zh = zookeeper_init(..);`)
//! into a branch, checked against the IR: every other mention of the variable must already
//! be inside that branch.

use super::{insert_at_branch, FileContext};
use crate::diagnostics::Edit;
use crate::ir::{
    BranchEntry, Cond, Function, LocalId, Operand, Rvalue, Span, StmtKind, Terminator,
};

/// Edits that move the declaration holding `open`, which declares `name`, to the start of
/// the branch at `entry` after `fork`. `None` unless the declaration declares only `name`,
/// comes before the fork, and nothing outside it and the branch mentions `name`.
pub fn move_declaration(
    context: &FileContext,
    function: &Function,
    (open, fork): (Span, Span),
    name: &str,
    entry: BranchEntry,
) -> Option<Vec<Edit>> {
    let BranchEntry::Body { span: body, .. } = entry else { return None };
    let declaration = *function
        .declarations
        .iter()
        .filter(|d| within(open, **d))
        .min_by_key(|d| d.end - d.start)?;
    if declaration.end > fork.start || body.start < fork.end {
        return None;
    }
    let declared: Vec<(LocalId, &str)> = (function.locals.iter().enumerate())
        .filter(|(_, local)| within(local.span, declaration) && !local.name.starts_with('$'))
        .map(|(index, local)| (LocalId(index as u32), local.name.as_str()))
        .collect();
    let [(local, declared_name)] = declared.as_slice() else { return None };
    if *declared_name != name || mentioned_outside(function, *local, &[declaration, body]) {
        return None;
    }
    let text = context.text();
    let moved = text.get(declaration.start..declaration.end)?.to_string();
    let mut edits = insert_at_branch(text, &context.style(), entry, &[moved])?;
    edits.push(Edit::replace(whole_lines(text, declaration), ""));
    Some(edits)
}

fn within(inner: Span, outer: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The span with its line's indentation and line ending when nothing else is on its lines.
fn whole_lines(text: &str, span: Span) -> Span {
    let before = &text[..span.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let after = &text[span.end..];
    let line_end = after.find('\n').map_or(text.len(), |i| span.end + i + 1);
    let blank = |s: &str| s.trim().is_empty();
    if blank(&text[line_start..span.start]) && blank(&text[span.end..line_end]) {
        Span::new(line_start, line_end)
    } else {
        span
    }
}

/// Whether a statement or condition outside the `inside` spans reads or writes the local.
/// Scope ends are not mentions: they follow the variable wherever it is declared.
fn mentioned_outside(function: &Function, local: LocalId, inside: &[Span]) -> bool {
    let outside = |span: Span| !inside.iter().any(|area| within(span, *area));
    function.blocks.iter().any(|block| {
        let in_stmts = block.stmts.iter().any(|stmt| {
            let mentions = match &stmt.kind {
                StmtKind::Assign { target, value } => {
                    target.base == crate::ir::PlaceBase::Local(local)
                        || rvalue_mentions(value, local)
                }
                StmtKind::Eval(value) => rvalue_mentions(value, local),
                StmtKind::ScopeEnd(_) => false,
            };
            mentions && outside(stmt.span)
        });
        let in_term = match &block.term {
            Terminator::Branch { cond, span, .. } => cond_mentions(cond, local) && outside(*span),
            Terminator::Return { value: Some(value), span } => {
                operand_mentions(value, local) && outside(*span)
            }
            _ => false,
        };
        in_stmts || in_term
    })
}

fn rvalue_mentions(value: &Rvalue, local: LocalId) -> bool {
    match value {
        Rvalue::Use(operand) => operand_mentions(operand, local),
        Rvalue::Call(call) => call.args.iter().any(|arg| operand_mentions(arg, local)),
    }
}

fn operand_mentions(operand: &Operand, local: LocalId) -> bool {
    match operand {
        Operand::Place(place) | Operand::Ref(place) => {
            place.base == crate::ir::PlaceBase::Local(local)
        }
        Operand::Expr(parts) => parts.iter().any(|part| operand_mentions(part, local)),
        _ => false,
    }
}

fn cond_mentions(cond: &Cond, local: LocalId) -> bool {
    match cond {
        Cond::Truthy(operand) | Cond::Matches { value: operand, .. } => {
            operand_mentions(operand, local)
        }
        Cond::Not(inner) => cond_mentions(inner, local),
        Cond::Compare { lhs, rhs, .. } => {
            operand_mentions(lhs, local) || operand_mentions(rhs, local)
        }
        Cond::Unknown => false,
    }
}
