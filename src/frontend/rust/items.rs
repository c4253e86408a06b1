//! Items: which of them hold functions, under which name, with which imports in scope.
//!
//! Free functions keep their own name (`main`); methods are `Type::method` after the last
//! segment of the implementing type; trait default methods are `Trait::method`. Inline
//! modules get their own imports; items nested in a function body see the function's.

use syn::visit::Visit;
use syn::{ImplItem, Item, TraitItem, UseTree};

use crate::frontend::KeepFunction;
use crate::ir::{Function, Span, UseSite};

use super::builder::FnBuilder;
use super::imports::Imports;
use super::spans::{block_span, signature_start, token_span};
use super::{span_of, MAX_DEPTH};

/// One top-level item lowered: its functions (methods and functions nested in bodies
/// included) and the glob imports it noted, in order.
pub(super) struct LoweredItem {
    pub(super) functions: Vec<Function>,
    pub(super) globs: Vec<String>,
}

/// Lowers one top-level item with the file's imports. An item's functions depend on nothing
/// else of the file, so one item can be lowered again alone after an edit.
pub(super) fn lower_top_item(
    item: &Item,
    imports: &Imports,
    keep: KeepFunction<'_>,
) -> LoweredItem {
    let mut lowering = ItemLowering { keep: Some(keep), ..ItemLowering::default() };
    lowering.lower_item(item, imports, 1);
    LoweredItem { functions: lowering.functions, globs: lowering.globs }
}

/// The glob imports of a file: its own `use` items' first, then those each item noted, each
/// once, in order.
pub(super) fn file_globs<'a>(
    imports: &Imports,
    items: impl IntoIterator<Item = &'a [String]>,
) -> Vec<String> {
    let mut lowering = ItemLowering::default();
    lowering.note_globs(imports);
    for globs in items {
        lowering.note(globs);
    }
    lowering.globs
}

/// After the last top-level `use`, else before the first item.
pub(super) fn use_site(items: &[Item]) -> Option<UseSite> {
    let last_use = items.iter().rfind(|item| matches!(item, Item::Use(_)));
    match last_use {
        Some(item) => Some(UseSite { at: span_of(item).end, after_use: true }),
        None => items.first().map(|item| UseSite { at: span_of(item).start, after_use: false }),
    }
}

#[derive(Default)]
struct ItemLowering<'k> {
    functions: Vec<Function>,
    globs: Vec<String>,
    /// Which functions to lower (`None`: every one).
    keep: Option<KeepFunction<'k>>,
}

/// What lowering a function needs from the item that holds it.
struct FnSource<'a> {
    name: String,
    sig: &'a syn::Signature,
    body: &'a syn::Block,
    /// The implementing type (for `Self`), resolved.
    self_type: Option<&'a str>,
    /// The imports in scope: the module's, with `Self` for a method of an impl.
    imports: &'a Imports,
    attrs: &'a [syn::Attribute],
}

impl ItemLowering<'_> {
    fn lower_items<'a>(
        &mut self,
        items: impl IntoIterator<Item = &'a Item>,
        imports: &Imports,
        depth: u32,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        self.note_globs(imports);
        for item in items {
            self.lower_item(item, imports, depth + 1);
        }
    }

    fn lower_item(&mut self, item: &Item, imports: &Imports, depth: u32) {
        match item {
            Item::Fn(function) => {
                let name = function.sig.ident.to_string();
                let source = FnSource {
                    name,
                    sig: &function.sig,
                    body: &function.block,
                    self_type: None,
                    imports,
                    attrs: &function.attrs,
                };
                self.lower_function(source, imports, depth);
            }
            Item::Impl(implementation) => self.lower_impl(implementation, imports, depth),
            Item::Trait(trait_item) => self.lower_trait(trait_item, imports, depth),
            Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    let module_imports = Imports::for_module(items, Some(imports));
                    self.lower_items(items, &module_imports, depth);
                }
            }
            _ => {}
        }
    }

    fn lower_impl(&mut self, implementation: &syn::ItemImpl, imports: &Imports, depth: u32) {
        let type_name = type_last_segment(&implementation.self_ty);
        let self_type = type_path(&implementation.self_ty).map(|path| imports.resolve(path));
        // Built once for all the methods, not once for each.
        let with_self = self_type.as_ref().map(|self_type| {
            let mut with_self = imports.clone();
            with_self.alias_self(self_type.clone());
            with_self
        });
        for item in &implementation.items {
            if let ImplItem::Fn(method) = item {
                let name = format!("{type_name}::{}", method.sig.ident);
                let source = FnSource {
                    name,
                    sig: &method.sig,
                    body: &method.block,
                    self_type: self_type.as_deref(),
                    imports: with_self.as_ref().unwrap_or(imports),
                    attrs: &method.attrs,
                };
                self.lower_function(source, imports, depth);
            }
        }
    }

    fn lower_trait(&mut self, trait_item: &syn::ItemTrait, imports: &Imports, depth: u32) {
        for item in &trait_item.items {
            if let TraitItem::Fn(method) = item {
                if let Some(body) = &method.default {
                    let name = format!("{}::{}", trait_item.ident, method.sig.ident);
                    let source = FnSource {
                        name,
                        sig: &method.sig,
                        body,
                        self_type: None,
                        imports,
                        attrs: &method.attrs,
                    };
                    self.lower_function(source, imports, depth);
                }
            }
        }
    }

    fn lower_function(&mut self, source: FnSource<'_>, module_imports: &Imports, depth: u32) {
        let declared = BodyItems::of(source.body);
        // Only a body with `use` items needs imports of its own; they resolve before `Self`
        // is aliased, as they always have.
        let own_imports;
        let imports = if declared.uses.is_empty() {
            source.imports
        } else {
            let mut imports = module_imports.clone();
            imports.add_use_trees(&declared.uses);
            if let Some(self_type) = source.self_type {
                imports.alias_self(self_type.to_string());
            }
            own_imports = imports;
            &own_imports
        };
        self.note_globs(imports);

        let body_span = block_span(source.body);
        let start = signature_start(source.sig);
        let span = Span::new(start, body_span.end.max(start));
        // Asked by the name's last segment, as calls name it (the ident, without a copy).
        let last_segment = source.name.rsplit("::").next().unwrap_or_default();
        if self.keep.is_some_and(|keep| !keep(last_segment, span)) {
            // Functions declared inside the body may still be kept.
            self.lower_items(declared.items, imports, depth);
            return;
        }
        let mut builder = FnBuilder::new(imports, body_span);
        builder.push_scope();
        for input in &source.sig.inputs {
            match input {
                syn::FnArg::Receiver(receiver) => {
                    let span = token_span(receiver.self_token.span);
                    let id = builder.new_local("self".into(), span);
                    builder.declare(id);
                    if receiver.reference.is_some() {
                        builder.borrowed(id);
                    }
                }
                syn::FnArg::Typed(typed) => {
                    let borrowed = matches!(*typed.ty, syn::Type::Reference(_));
                    builder.bind_parameter(&typed.pat, borrowed)
                }
            }
        }
        let params = builder.local_count();
        let returns_value = !matches!(source.sig.output, syn::ReturnType::Default);
        builder.lower_body(source.body, returns_value);
        let name_span = token_span(source.sig.ident.span());
        let attributes = source.attrs.iter().map(|attr| path_text(attr.path())).collect();
        self.functions.push(builder.finish(source.name, span, name_span, params, attributes));
        // Functions declared inside the body see the body's imports.
        self.lower_items(declared.items, imports, depth);
    }

    fn note_globs(&mut self, imports: &Imports) {
        self.note(&imports.globs);
    }

    fn note(&mut self, globs: &[String]) {
        for glob in globs {
            if !self.globs.contains(glob) {
                self.globs.push(glob.clone());
            }
        }
    }
}

fn type_path(ty: &syn::Type) -> Option<&syn::Path> {
    match ty {
        syn::Type::Path(type_path) => Some(&type_path.path),
        syn::Type::Reference(reference) => type_path(&reference.elem),
        syn::Type::Paren(paren) => type_path(&paren.elem),
        syn::Type::Group(group) => type_path(&group.elem),
        _ => None,
    }
}

fn type_last_segment(ty: &syn::Type) -> String {
    type_path(ty)
        .and_then(|path| path.segments.last())
        .map_or_else(|| "_".to_string(), |segment| segment.ident.to_string())
}

/// What a function body declares, found in one walk: `use` trees anywhere in it (they apply
/// to the whole body, even before the `use`), and the items in it, not those inside them
/// (they are searched when they are lowered in turn).
#[derive(Default)]
struct BodyItems<'ast> {
    uses: Vec<&'ast UseTree>,
    items: Vec<&'ast Item>,
    /// How many items the walk is inside.
    item_depth: usize,
}

impl<'ast> BodyItems<'ast> {
    fn of(body: &'ast syn::Block) -> Self {
        let mut found = BodyItems::default();
        found.visit_block(body);
        found
    }
}

impl<'ast> Visit<'ast> for BodyItems<'ast> {
    fn visit_item(&mut self, item: &'ast Item) {
        if self.item_depth == 0 {
            self.items.push(item);
        }
        self.item_depth += 1;
        syn::visit::visit_item(self, item);
        self.item_depth -= 1;
    }

    fn visit_item_use(&mut self, item_use: &'ast syn::ItemUse) {
        self.uses.push(&item_use.tree);
    }
}

/// A path as written (`tokio::main`).
fn path_text(path: &syn::Path) -> String {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.join("::")
}
