//! Patterns: what `match`, `if let`, `let … else` and `?` test, and the locals they bind.
//!
//! Constructors are kept by the last segment of their path only (`Child` for
//! `ForkResult::Child`): the analysis recognises fork results by variant name, whatever the
//! crate.

use syn::{Lit, Pat};

use crate::ir::{LocalId, Pattern};

use super::builder::FnBuilder;
use super::paths::looks_like_constant;
use super::punctuated;
use super::spans::{known_token_span, pat_span};
use super::MAX_DEPTH;

impl FnBuilder<'_> {
    /// Lowers a pattern, creating a local for each binding. The bindings are returned, not
    /// yet in scope, so the caller decides where they become visible.
    pub(super) fn lower_pattern(&mut self, pat: &Pat, depth: u32) -> (Pattern, Vec<LocalId>) {
        let mut bindings = Vec::new();
        let pattern = self.pattern(pat, &mut bindings, depth);
        (pattern, bindings)
    }

    /// Lowers a pattern whose bindings are visible from now on in the innermost scope.
    pub(super) fn bind_pattern(&mut self, pat: &Pat, depth: u32) -> Pattern {
        let (pattern, bindings) = self.lower_pattern(pat, depth);
        self.bring_into_scope(&bindings);
        pattern
    }

    fn pattern(&mut self, pat: &Pat, bindings: &mut Vec<LocalId>, depth: u32) -> Pattern {
        if depth > MAX_DEPTH {
            return Pattern::Unknown;
        }
        let depth = depth + 1;
        match pat {
            Pat::Wild(_) | Pat::Rest(_) => Pattern::Wild,
            Pat::Ident(ident) => self.ident_pattern(ident, bindings, depth),
            Pat::Path(path) => constructor(&path.path, Vec::new()),
            Pat::TupleStruct(tuple) => {
                let fields = self.patterns(punctuated::values(&tuple.elems), bindings, depth);
                constructor(&tuple.path, fields)
            }
            Pat::Struct(record) => {
                let fields = punctuated::values(&record.fields).map(|field| &*field.pat);
                let fields = self.patterns(fields, bindings, depth);
                constructor(&record.path, fields)
            }
            // A tuple is a constructor without a name: it always matches structurally.
            Pat::Tuple(tuple) => {
                let fields = self.patterns(punctuated::values(&tuple.elems), bindings, depth);
                Pattern::Ctor { name: String::new(), fields }
            }
            Pat::Slice(slice) => {
                let fields = self.patterns(punctuated::values(&slice.elems), bindings, depth);
                Pattern::Ctor { name: "[]".into(), fields }
            }
            Pat::Or(or) => {
                Pattern::Or(self.patterns(punctuated::values(&or.cases), bindings, depth))
            }
            Pat::Lit(lit) => literal_pattern(&lit.lit),
            Pat::Paren(paren) => self.pattern(&paren.pat, bindings, depth),
            Pat::Reference(reference) => self.pattern(&reference.pat, bindings, depth),
            Pat::Type(typed) => self.pattern(&typed.pat, bindings, depth),
            _ => Pattern::Unknown,
        }
    }

    fn patterns<'p>(
        &mut self,
        pats: impl IntoIterator<Item = &'p Pat>,
        bindings: &mut Vec<LocalId>,
        depth: u32,
    ) -> Vec<Pattern> {
        pats.into_iter().map(|pat| self.pattern(pat, bindings, depth)).collect()
    }

    /// `x`, `ref mut x`, `x @ p` bind; a bare capitalised name (`None`, `EAGAIN`) is a
    /// variant or constant.
    fn ident_pattern(
        &mut self,
        ident: &syn::PatIdent,
        bindings: &mut Vec<LocalId>,
        depth: u32,
    ) -> Pattern {
        let name = ident.ident.to_string();
        let plain = ident.by_ref.is_none() && ident.mutability.is_none() && ident.subpat.is_none();
        if plain && looks_like_constant(&name) {
            return Pattern::Ctor { name, fields: Vec::new() };
        }
        let span = known_token_span(ident.ident.span(), &name);
        let id = self.new_local(name, span);
        bindings.push(id);
        if let Some((_, subpattern)) = &ident.subpat {
            // The sub-pattern's own bindings still need locals.
            let _ = self.pattern(subpattern, bindings, depth);
        }
        Pattern::Bind(id)
    }

    /// Parameters: like a pattern, but a parameter that binds nothing (`_: T`) still gets a
    /// local so the n-th argument meets the n-th parameter in simple signatures.
    /// A parameter's bindings; a `borrowed` one (`ctx: &mut Context`) drops nothing when the
    /// function ends, so it gets no `ScopeEnd`.
    pub(super) fn bind_parameter(&mut self, pat: &Pat, borrowed: bool) {
        let (_, bindings) = self.lower_pattern(pat, 0);
        if bindings.is_empty() {
            let id = self.new_local("_".into(), pat_span(pat));
            self.declare(id);
        }
        self.bring_into_scope(&bindings);
        if borrowed {
            bindings.into_iter().for_each(|id| self.borrowed(id));
        }
    }
}

fn constructor(path: &syn::Path, fields: Vec<Pattern>) -> Pattern {
    match punctuated::last(&path.segments) {
        Some(last) => Pattern::Ctor { name: last.ident.to_string(), fields },
        None => Pattern::Unknown,
    }
}

/// Integer literals (`0`, `-1`) are matched by value; other literals are not modelled.
fn literal_pattern(lit: &Lit) -> Pattern {
    match lit {
        Lit::Int(int) => int.base10_parse::<i64>().map_or(Pattern::Unknown, Pattern::Int),
        _ => Pattern::Unknown,
    }
}
