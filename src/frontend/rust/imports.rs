//! `use` items as a resolution map (alias → full path) and path resolution through it.
//!
//! The catalog names functions by full path (`nix::unistd::fork`), while code calls them by
//! whatever name it imported (`fork`, `unistd::fork`, `US::connect`). Resolution rewrites the
//! first segment of a path through the map; anything unknown stays as written.

use std::collections::HashMap;
use std::fmt::Write as _;

use syn::{Item, UseTree};

use super::punctuated;

#[derive(Debug, Clone, Default)]
pub(super) struct Imports {
    /// Looked up for every path lowered: hashed with foldhash, a fraction of SipHash's cost
    /// on short names (read in no order: `aliases` sorts them).
    aliases: HashMap<String, String, foldhash::fast::RandomState>,
    /// Namespaces opened with `*`, in order of appearance.
    pub(super) globs: Vec<String>,
    /// The module's `static` items: capitalised like constants, but places that hold values.
    statics: Vec<String>,
}

impl Imports {
    /// The imports of a module: its own `use` items, plus the parent's names when the module
    /// says `use super::*` (the usual shape of a `mod tests`).
    pub(super) fn for_module(items: &[Item], parent: Option<&Imports>) -> Imports {
        let mut imports = Imports::default();
        let mut imports_parent = false;
        for item in items {
            match item {
                Item::Use(item_use) => {
                    imports_parent |= imports.add_tree(&item_use.tree, Vec::new());
                }
                Item::Static(item_static) => {
                    imports.statics.push(item_static.ident.to_string());
                }
                _ => {}
            }
        }
        if let (true, Some(parent)) = (imports_parent, parent) {
            imports.inherit(parent);
        }
        imports
    }

    /// Adds the `use` items of a function body, in order.
    pub(super) fn add_use_trees(&mut self, trees: &[&UseTree]) {
        for tree in trees {
            self.add_tree(tree, Vec::new());
        }
    }

    /// Whether a name written alone is one of the module's statics.
    pub(super) fn is_static(&self, name: &proc_macro2::Ident) -> bool {
        self.statics.iter().any(|item| name == item)
    }

    /// Every imported name with its full path, sorted.
    pub(super) fn aliases(&self) -> Vec<(String, String)> {
        let mut aliases: Vec<_> =
            self.aliases.iter().map(|(name, path)| (name.clone(), path.clone())).collect();
        aliases.sort();
        aliases
    }

    /// Makes `Self` stand for the implementing type inside an impl.
    pub(super) fn alias_self(&mut self, type_path: String) {
        self.aliases.insert("Self".into(), type_path);
    }

    /// Resolves a path as written in code: generics dropped, a leading `::` stripped, the
    /// first segment replaced by what it was imported as.
    pub(super) fn resolve(&self, path: &syn::Path) -> String {
        let mut segments = punctuated::values(&path.segments);
        let Some(first) = segments.next() else {
            return String::new();
        };
        let first = first.ident.to_string();
        let mut resolved = self.aliases.get(&first).cloned().unwrap_or(first);
        for segment in segments {
            let _ = write!(resolved, "::{}", segment.ident);
        }
        resolved
    }

    pub(super) fn resolve_segments(&self, segments: &[String]) -> String {
        let Some((first, rest)) = segments.split_first() else {
            return String::new();
        };
        let mut resolved = self.aliases.get(first).cloned().unwrap_or_else(|| first.clone());
        for segment in rest {
            resolved.push_str("::");
            resolved.push_str(segment);
        }
        resolved
    }

    fn inherit(&mut self, parent: &Imports) {
        for (alias, path) in &parent.aliases {
            self.aliases.entry(alias.clone()).or_insert_with(|| path.clone());
        }
        self.statics.extend(parent.statics.iter().cloned());
    }

    /// Walks one use tree under `prefix`. Returns whether it contained `super::*`.
    fn add_tree(&mut self, tree: &UseTree, mut prefix: Vec<String>) -> bool {
        match tree {
            UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.add_tree(&path.tree, prefix)
            }
            UseTree::Name(name) => {
                self.add_name(&name.ident.to_string(), None, prefix);
                false
            }
            UseTree::Rename(rename) => {
                let alias = rename.rename.to_string();
                self.add_name(&rename.ident.to_string(), Some(alias), prefix);
                false
            }
            UseTree::Glob(_) => self.add_glob(prefix),
            UseTree::Group(group) => {
                let mut imports_parent = false;
                for tree in &group.items {
                    imports_parent |= self.add_tree(tree, prefix.clone());
                }
                imports_parent
            }
        }
    }

    /// `use a::b::name [as alias];` where `name` may be `self` (`use a::b::{self}`).
    fn add_name(&mut self, name: &str, alias: Option<String>, mut prefix: Vec<String>) {
        if name != "self" {
            prefix.push(name.to_string());
        }
        let Some(last) = prefix.last().cloned() else {
            return;
        };
        let alias = alias.unwrap_or(last);
        // `use Trait as _;` brings no name into scope.
        if alias == "_" {
            return;
        }
        let full = self.resolve_segments(&prefix);
        self.aliases.insert(alias, full);
    }

    fn add_glob(&mut self, prefix: Vec<String>) -> bool {
        if prefix == ["super"] {
            return true;
        }
        if !prefix.is_empty() {
            let namespace = self.resolve_segments(&prefix);
            if !self.globs.contains(&namespace) {
                self.globs.push(namespace);
            }
        }
        false
    }
}
