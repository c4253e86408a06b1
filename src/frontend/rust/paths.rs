//! What a path in an expression names (a local, a static, a constant or variant, a global),
//! decided from its identifiers without building their text where a comparison will do:
//! `Ident::to_string` formats and allocates, and every path met asks.

use std::fmt::{self, Write as _};

use proc_macro2::Ident;

use crate::ir::{LocalId, Operand, Place};

use super::builder::FnBuilder;
use super::punctuated;

/// What `path_operand` makes of a path.
pub(super) enum PathKind<'p> {
    Local(LocalId),
    /// One of the module's `static` items, by its name.
    Static(&'p Ident),
    /// Capitalised: a constant or variant (`SOCK_STREAM`, `Both`, `None`).
    Constant,
    Global,
}

impl FnBuilder<'_> {
    pub(super) fn path_kind<'p>(&self, path: &'p syn::Path) -> PathKind<'p> {
        if let Some(name) = single_identifier(path) {
            if let Some(local) = self.lookup_ident(name) {
                return PathKind::Local(local);
            }
            if self.imports.is_static(name) {
                return PathKind::Static(name);
            }
        }
        match punctuated::last(&path.segments) {
            Some(last) if ident_looks_like_constant(&last.ident) => PathKind::Constant,
            _ => PathKind::Global,
        }
    }

    /// A variable, a constant or variant, or a global.
    pub(super) fn path_operand(&self, path: &syn::ExprPath) -> Operand {
        match self.path_kind(&path.path) {
            PathKind::Local(local) => Operand::Place(Place::local(local)),
            PathKind::Static(name) => Operand::Place(Place::global(name.to_string())),
            PathKind::Constant => Operand::Const(self.imports.resolve(&path.path)),
            PathKind::Global => Operand::Place(Place::global(self.imports.resolve(&path.path))),
        }
    }
}

/// The identifier if the path is one plain identifier (`x`, `self`), which may be a variable.
pub(super) fn single_identifier(path: &syn::Path) -> Option<&Ident> {
    let is_plain = path.leading_colon.is_none() && path.segments.len() == 1;
    let segment = punctuated::first(&path.segments).filter(|_| is_plain)?;
    segment.arguments.is_empty().then_some(&segment.ident)
}

/// Constants and variants are capitalised (`SOCK_STREAM`, `Both`, `None`).
pub(super) fn looks_like_constant(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
}

/// `looks_like_constant` of an identifier's text (`r#` included), from its first character.
fn ident_looks_like_constant(ident: &Ident) -> bool {
    struct FirstChar(Option<char>);
    impl fmt::Write for FirstChar {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            self.0 = self.0.or_else(|| text.chars().next());
            Ok(())
        }
    }
    let mut first = FirstChar(None);
    let _ = write!(first, "{ident}");
    first.0.is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identifier_looks_like_a_constant_as_its_text_does() {
        for name in ["SOCK_STREAM", "None", "fd", "r#Type", "r#fd", "Émile", "éclair", "_X"] {
            let ident: Ident = syn::parse_str(name).unwrap();
            assert_eq!(ident_looks_like_constant(&ident), looks_like_constant(&ident.to_string()));
        }
    }
}
