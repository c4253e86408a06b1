//! A pre-check of how deep syn's tree could nest, so pathological input is refused before
//! syn's recursive-descent parser, or a recursive walk over its tree, exhausts even a large
//! stack.
//!
//! It reads the token trees proc-macro2 lexed (the very tokens syn will parse, so no string or
//! comment can hide a bracket from it; proc-macro2 lexes and drops trees without recursion).
//! Depth in a syntax tree comes from brackets and from runs of tokens: `- - - x`, `a.b.c`,
//! `1 + 1 + 1`, `V<V<u8>>`, `&&x`, `return return x` each nest a node per token or two. So a
//! place's estimated depth is, over every group around it, one for the group plus the tokens
//! since the group's last *tree end*: a `;`, a `,` outside `<...>` and `|...|`, or a `{...}`
//! followed by what starts a new statement or item. Ordinary code is over-counted a little
//! (a statement of 100 tokens counts 100); the nesting of a tree is not under-counted.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};

/// The first token whose estimated depth exceeds `limit`, if any.
pub(super) fn too_deep_at(tokens: &TokenStream, limit: usize) -> Option<Span> {
    let mut levels = vec![Level::new(tokens.clone(), false)];
    let mut depth = 0usize;
    while let Some(level) = levels.last_mut() {
        let Some(tree) = level.tokens.next() else {
            let closed = levels.pop().expect("the level just looked at");
            depth -= closed.run;
            if let Some(parent) = levels.last_mut() {
                if closed.is_brace && parent.starts_new_tree() {
                    depth -= parent.reset();
                }
            }
            continue;
        };
        match &tree {
            TokenTree::Punct(punct) if level.ends_tree(punct.as_char()) => {
                depth -= level.reset();
                if punct.as_char() == ';' {
                    level.open_angles = 0;
                    level.in_pipes = false;
                }
                continue;
            }
            TokenTree::Punct(punct) => level.track(punct.as_char()),
            _ => {}
        }
        level.run += 1;
        depth += 1;
        if depth > limit {
            return Some(tree.span());
        }
        if let TokenTree::Group(group) = tree {
            let is_brace = group.delimiter() == Delimiter::Brace;
            levels.push(Level::new(group.stream(), is_brace));
        }
    }
    None
}

/// The tokens of one group still to be read, and what is open in it.
struct Level {
    tokens: std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
    is_brace: bool,
    /// Tokens since the last tree end.
    run: usize,
    /// `<` not yet closed by `>`: inside generics a `,` does not end a tree.
    open_angles: usize,
    /// Between a closure's `|`s, a `,` does not end a tree.
    in_pipes: bool,
}

impl Level {
    fn new(tokens: TokenStream, is_brace: bool) -> Self {
        let tokens = tokens.into_iter().peekable();
        Level { tokens, is_brace, run: 0, open_angles: 0, in_pipes: false }
    }

    fn ends_tree(&self, punct: char) -> bool {
        punct == ';' || (punct == ',' && self.open_angles == 0 && !self.in_pipes)
    }

    fn track(&mut self, punct: char) {
        let next = self.tokens.peek();
        let next_is = |c: char| matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == c);
        match punct {
            '<' if !next_is('=') => self.open_angles += 1,
            '>' => self.open_angles = self.open_angles.saturating_sub(1),
            '|' => self.in_pipes = !self.in_pipes,
            _ => {}
        }
    }

    /// After a `{...}`: whether what follows starts a new statement or item (an operator,
    /// `as` or `else` carries the tree on: a million `else if`s nest a million deep).
    fn starts_new_tree(&mut self) -> bool {
        match self.tokens.peek() {
            None | Some(TokenTree::Group(_) | TokenTree::Literal(_)) => true,
            Some(TokenTree::Ident(ident)) => ident != "as" && ident != "else",
            Some(TokenTree::Punct(punct)) => punct.as_char() == '#',
        }
    }

    /// Ends the current run; returns its length.
    fn reset(&mut self) -> usize {
        std::mem::take(&mut self.run)
    }
}
