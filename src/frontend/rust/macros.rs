//! Macro invocations and closures. Both hide code the analysis does not walk as a function,
//! so they are kept as a call (`name!`) or an operand that at least lists the variables they
//! mention: a connection handed to `println!` or captured by a closure counts as used.

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Lit, Token};

use crate::ir::{Callee, LocalId, Operand, Place, Span, Terminator};

use super::builder::FnBuilder;
use super::offsets;
use super::punctuated;
use super::spans::path_span;

/// Macros that never return: the block ends there.
const DIVERGING_MACROS: [&str; 4] = ["panic", "unreachable", "todo", "unimplemented"];

/// Macros whose second argument is a pattern, not an expression.
const PATTERN_MACROS: [&str; 2] = ["matches", "assert_matches"];

impl FnBuilder<'_> {
    /// `name!(args)` as a call to the path `name!`, arguments read as expressions when they
    /// parse as such, otherwise as the variables the tokens mention.
    pub(super) fn macro_call(
        &mut self,
        mac: &syn::Macro,
        depth: u32,
    ) -> (Callee, Span, Vec<Operand>) {
        let mut name = self.imports.resolve(&mac.path);
        name.push('!');
        let args = match parse_macro_args(mac) {
            Ok(exprs) => self.macro_arg_operands(&exprs, depth),
            Err(_) => self.mentioned_locals(mac.tokens.clone(), &[]),
        };
        (Callee::Path(name), path_span(&mac.path), args)
    }

    fn macro_arg_operands(&mut self, exprs: &[Expr], depth: u32) -> Vec<Operand> {
        let mut args = Vec::with_capacity(exprs.len());
        for expr in exprs {
            let operand = self.lower_operand(expr, depth);
            // `println!("{conn:?}")` reads `conn` without naming it as an argument. The
            // literal's value is read once: the operand holds it (unless too deep).
            let captures = match (expr, &operand) {
                (Expr::Lit(syn::ExprLit { lit: Lit::Str(_), .. }), Operand::Str(format)) => {
                    self.format_captures(format)
                }
                (Expr::Lit(syn::ExprLit { lit: Lit::Str(text), .. }), _) => {
                    self.format_captures(&text.value())
                }
                _ => Vec::new(),
            };
            args.push(operand);
            args.extend(captures);
        }
        args
    }

    /// After `panic!` and friends control goes nowhere.
    pub(super) fn diverge_if_panics(&mut self, mac: &syn::Macro, span: Span) {
        if macro_diverges(mac) {
            self.diverge(Terminator::Unreachable, span);
        }
    }

    /// A closure is a value holding what it captures; its body is not lowered.
    pub(super) fn closure_operand(&self, closure: &syn::ExprClosure) -> Operand {
        let mut names = NameCollector::default();
        for input in &closure.inputs {
            names.visit_pat(input);
        }
        self.captures_operand(|collector| collector.visit_expr(&closure.body), &names.params)
    }

    /// An `async` block, like a closure, holds what it mentions.
    pub(super) fn async_operand(&self, block: &syn::ExprAsync) -> Operand {
        self.captures_operand(|collector| collector.visit_block(&block.block), &[])
    }

    /// The variables of this function mentioned in a body, as one operand.
    fn captures_operand(
        &self,
        walk: impl FnOnce(&mut NameCollector),
        excluded: &[String],
    ) -> Operand {
        let mut names = NameCollector::default();
        walk(&mut names);
        let mut found: Vec<(usize, LocalId)> = Vec::new();
        for (at, name) in names.mentions {
            if excluded.contains(&name) {
                continue;
            }
            if let Some(local) = self.lookup(&name) {
                found.push((at, local));
            }
        }
        for tokens in names.macro_bodies {
            found.extend(self.mentioned_locals_at(tokens, excluded));
        }
        Operand::Expr(in_source_order(found))
    }

    /// Identifiers in a token tree that name a local here, in source order, once each.
    /// Field and method names (after a lone `.`), macro names and path prefixes are skipped.
    fn mentioned_locals(&self, tokens: TokenStream, excluded: &[String]) -> Vec<Operand> {
        in_source_order(self.mentioned_locals_at(tokens, excluded))
    }

    fn mentioned_locals_at(
        &self,
        tokens: TokenStream,
        excluded: &[String],
    ) -> Vec<(usize, LocalId)> {
        let mut found: Vec<(usize, LocalId)> = Vec::new();
        // An explicit stack: token trees nest as deep as the input does.
        let mut pending = vec![tokens];
        while let Some(stream) = pending.pop() {
            let trees: Vec<TokenTree> = stream.into_iter().collect();
            for (index, tree) in trees.iter().enumerate() {
                match tree {
                    TokenTree::Group(group) => pending.push(group.stream()),
                    TokenTree::Ident(ident) if names_a_variable(&trees, index) => {
                        let name = ident.to_string();
                        if excluded.contains(&name) {
                            continue;
                        }
                        if let Some(local) = self.lookup(&name) {
                            found.push((offsets::start(ident.span()), local));
                        }
                    }
                    TokenTree::Literal(literal) => {
                        let start = offsets::start(literal.span());
                        let captures = self.literal_captures(literal);
                        found.extend(captures.into_iter().map(|local| (start, local)));
                    }
                    _ => {}
                }
            }
        }
        found
    }

    fn literal_captures(&self, literal: &proc_macro2::Literal) -> Vec<LocalId> {
        let tokens = TokenStream::from(TokenTree::Literal(literal.clone()));
        match syn::parse2::<syn::LitStr>(tokens) {
            Ok(text) => format_arguments(&text.value())
                .into_iter()
                .filter_map(|name| self.lookup(&name))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    fn format_captures(&self, format: &str) -> Vec<Operand> {
        format_arguments(format)
            .into_iter()
            .filter_map(|name| self.lookup(&name))
            .map(|local| Operand::Place(Place::local(local)))
            .collect()
    }
}

fn parse_macro_args(mac: &syn::Macro) -> syn::Result<Vec<Expr>> {
    if is_one_of(mac, &PATTERN_MACROS) {
        return mac.parse_body_with(first_expression).map(|expr| vec![expr]);
    }
    let parser = Punctuated::<Expr, Token![,]>::parse_terminated;
    mac.parse_body_with(parser).map(|args| args.into_iter().collect())
}

/// The scrutinee of `matches!(value, pattern)`; the pattern is not an expression.
fn first_expression(input: ParseStream) -> syn::Result<Expr> {
    let expr: Expr = input.parse()?;
    let _rest: TokenStream = input.parse()?;
    Ok(expr)
}

pub(super) fn macro_diverges(mac: &syn::Macro) -> bool {
    is_one_of(mac, &DIVERGING_MACROS)
}

/// Whether the macro's name (the last segment of its path) is one of `names`.
fn is_one_of(mac: &syn::Macro, names: &[&str]) -> bool {
    let last = punctuated::last(&mac.path.segments);
    last.is_some_and(|segment| names.iter().any(|name| segment.ident == name))
}

/// Whether the identifier at `index` can be a variable: not a field or method name after a
/// single `.`, not a macro name before `!`, not a path prefix before `::`.
fn names_a_variable(trees: &[TokenTree], index: usize) -> bool {
    let punct_at = |at: usize| match trees.get(at) {
        Some(TokenTree::Punct(punct)) => Some((punct.as_char(), punct.spacing())),
        _ => None,
    };
    let after_dot = index >= 1
        && punct_at(index - 1).is_some_and(|(c, _)| c == '.')
        && !(index >= 2 && punct_at(index - 2).is_some_and(|(c, _)| c == '.'));
    let before_bang = punct_at(index + 1) == Some(('!', Spacing::Alone));
    let before_path = punct_at(index + 1) == Some((':', Spacing::Joint));
    !(after_dot || before_bang || before_path)
}

/// Each local once, ordered by first mention.
fn in_source_order(mut found: Vec<(usize, LocalId)>) -> Vec<Operand> {
    found.sort_by_key(|&(at, _)| at);
    let mut seen = Vec::new();
    for (_, local) in found {
        if !seen.contains(&local) {
            seen.push(local);
        }
    }
    seen.into_iter().map(|local| Operand::Place(Place::local(local))).collect()
}

/// Collects, from a closure: parameter names, single-identifier paths with their offsets,
/// and macro bodies (whose tokens are scanned separately).
#[derive(Default)]
struct NameCollector {
    params: Vec<String>,
    mentions: Vec<(usize, String)>,
    macro_bodies: Vec<TokenStream>,
}

impl<'ast> Visit<'ast> for NameCollector {
    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.params.push(pat.ident.to_string());
        syn::visit::visit_pat_ident(self, pat);
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        if let Some(segment) = path.path.segments.first().filter(|_| path.path.segments.len() == 1)
        {
            let at = offsets::start(segment.ident.span());
            self.mentions.push((at, segment.ident.to_string()));
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_bodies.push(mac.tokens.clone());
    }
}

/// The names a format string reads implicitly: `{name}`, `{name:?}`, `{name:>8}`.
fn format_arguments(format: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(escaped) = rest.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = rest.find(['}', ':']).unwrap_or(rest.len());
        let name = rest[..end].trim();
        let is_identifier = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_');
        if is_identifier {
            names.push(name.to_string());
        }
        rest = &rest[end..];
    }
    names
}
