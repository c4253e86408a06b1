//! Lowering a Rust file again after an edit by parsing only the top-level items the edit
//! touched, as rust-analyzer reparses a block: syn has no incremental parse, but an item's
//! functions depend on nothing of the file beside the file's `use` and `static` items. The
//! edit's *region* runs from the end of the item before it to the end of the last item it
//! touches; when the new text of that region parses as items on its own, and neither the old
//! nor the new items are `use` or `static` items, the region's items replace the old ones and
//! every other item keeps its functions' IR, moved by the edit's length. Otherwise (a broken
//! region, an import edited, an inner attribute mid-file) the whole file is parsed again.
//!
//! The region's text lexes and parses the same alone as in the file: it starts and ends at an
//! item's end (a `}` or `;`), where the lexer is between tokens, and top-level items parse
//! one after the other.

use std::borrow::Cow;

use syn::Item;

use super::imports::Imports;
use super::items::{file_globs, lower_top_item, use_site};
use super::{blank_out_preamble, lex, nesting, offsets, span_of, MAX_NESTING};
use crate::frontend::KeepFunction;
use crate::ir::{Function, LoweredFile, TextEdit, UseSite};

/// What the Rust frontend keeps of a file that parsed, to lower its next text.
pub struct RustParse {
    /// The file's imports (from its `use` and `static` items), which every item is lowered with.
    imports: Imports,
    items: Vec<ItemRecord>,
    /// The text's length.
    len: usize,
}

/// A top-level item as the next edit needs it.
struct ItemRecord {
    /// Where it ends (after its `}` or `;`).
    end: usize,
    /// How many functions of the file's IR it holds (they are contiguous).
    functions: usize,
    /// The glob imports it noted.
    globs: Vec<String>,
    /// A `use` or `static` item: editing it changes how every item is lowered.
    shapes_imports: bool,
}

/// The items of an edit's region, parsed and lowered again.
struct Region {
    /// The old items they replace.
    old_items: std::ops::Range<usize>,
    records: Vec<ItemRecord>,
    functions: Vec<Function>,
    use_site: Option<UseSite>,
}

/// Lowers a parsed file whole, keeping what the next edit needs.
pub(super) fn lower_whole(
    file: &syn::File,
    len: usize,
    keep: KeepFunction<'_>,
) -> (LoweredFile, RustParse) {
    let imports = Imports::for_module(&file.items, None);
    let mut functions = Vec::new();
    let mut items = Vec::with_capacity(file.items.len());
    for item in &file.items {
        let lowered = lower_top_item(item, &imports, keep);
        items.push(ItemRecord {
            end: item_end(item),
            functions: lowered.functions.len(),
            globs: lowered.globs,
            shapes_imports: shapes_imports(item),
        });
        functions.extend(lowered.functions);
    }
    let lowered = LoweredFile {
        functions,
        errors: Vec::new(),
        glob_imports: file_globs(&imports, items.iter().map(|item| item.globs.as_slice())),
        use_site: use_site(&file.items),
        top_imports: imports.aliases(),
    };
    (lowered, RustParse { imports, items, len })
}

impl RustParse {
    /// Lowers `new_text`, the text after `edit`, from `previous`, the IR of the text before,
    /// and the items the edit touched parsed again. Returns the IR and, for each of its
    /// functions, the index in `previous` of the function it kept; `previous` back when the
    /// whole file must be parsed again (this parse is then left as it was).
    pub fn relower(
        &mut self,
        previous: LoweredFile,
        new_text: &str,
        edit: TextEdit,
    ) -> Result<(LoweredFile, Vec<Option<usize>>), LoweredFile> {
        match self.lower_region(&previous, new_text, edit) {
            Some(region) => Ok(self.splice(previous, region, new_text, edit)),
            None => Err(previous),
        }
    }

    /// The region the edit touched, parsed and lowered again; `None` when it cannot be alone.
    fn lower_region(
        &self,
        previous: &LoweredFile,
        new_text: &str,
        edit: TextEdit,
    ) -> Option<Region> {
        let first = self.items.partition_point(|item| item.end <= edit.start);
        let last = self.items.partition_point(|item| item.end < edit.old_end).max(first);
        // The region's old items are `first..region_end` (none when the edit is after the last).
        let region_end = (last + 1).min(self.items.len());
        let old_items = first.min(region_end)..region_end;
        if self.items[old_items.clone()].iter().any(|item| item.shapes_imports) {
            return None;
        }
        let start = self.boundary(first);
        let end = self.boundary(last + 1).checked_add_signed(edit.delta())?;
        let text = new_text.get(start..end)?;
        // Spans are read off the region's own lines, then moved to the file's offsets.
        let _lines = offsets::install(&match start {
            0 => blank_out_preamble(text),
            _ => Cow::Borrowed(text),
        });
        let file = parse_region(text, start == 0)?;
        if file.items.iter().any(shapes_imports) {
            return None;
        }
        let use_site = self.use_site(previous, &file.items, start, last, edit)?;
        let mut records = Vec::with_capacity(file.items.len());
        let mut functions = Vec::new();
        for item in &file.items {
            let mut lowered = lower_top_item(item, &self.imports, &|_, _| true);
            let delta = start as isize;
            lowered.functions.iter_mut().for_each(|function| function.move_by(delta));
            records.push(ItemRecord {
                end: item_end(item) + start,
                functions: lowered.functions.len(),
                globs: lowered.globs,
                shapes_imports: false,
            });
            functions.extend(lowered.functions);
        }
        Some(Region { old_items, records, functions, use_site })
    }

    /// The file's IR with the region's items in place of the old ones, the items after it
    /// moved by the edit; and this parse brought up to date.
    fn splice(
        &mut self,
        previous: LoweredFile,
        region: Region,
        new_text: &str,
        edit: TextEdit,
    ) -> (LoweredFile, Vec<Option<usize>>) {
        let Region { old_items, records, functions: mut region_functions, use_site } = region;
        let before: usize = self.items[..old_items.start].iter().map(|i| i.functions).sum();
        let replaced: usize = self.items[old_items.clone()].iter().map(|i| i.functions).sum();
        let mut functions = Vec::with_capacity(previous.functions.len());
        let mut kept = Vec::with_capacity(previous.functions.len());
        for (index, mut function) in previous.functions.into_iter().enumerate() {
            if index == before {
                kept.extend(region_functions.iter().map(|_| None));
                functions.append(&mut region_functions);
            }
            if (before..before + replaced).contains(&index) {
                continue;
            }
            if index >= before + replaced {
                function.move_by(edit.delta());
            }
            kept.push(Some(index));
            functions.push(function);
        }
        kept.extend(region_functions.iter().map(|_| None));
        functions.append(&mut region_functions);

        for item in &mut self.items[old_items.end..] {
            item.end = item.end.wrapping_add_signed(edit.delta());
        }
        self.items.splice(old_items, records);
        self.len = new_text.len();
        let lowered = LoweredFile {
            functions,
            errors: Vec::new(),
            glob_imports: file_globs(
                &self.imports,
                self.items.iter().map(|item| item.globs.as_slice()),
            ),
            use_site,
            top_imports: previous.top_imports,
        };
        (lowered, kept)
    }

    /// Where region `k` starts (and region `k - 1` ends): the end of item `k - 1`; the text's
    /// end for the region after the last item.
    fn boundary(&self, k: usize) -> usize {
        match k {
            0 => 0,
            k if k <= self.items.len() => self.items[k - 1].end,
            _ => self.len,
        }
    }

    /// Where a new `use` goes after the edit. The region holds no `use` item, so the last one
    /// is where it was (moved when after the region); without `use` items it is the first
    /// item's start, read again when the region starts the file. `None` when that first item
    /// lies after a region left empty (its start is not kept): parse the whole file.
    fn use_site(
        &self,
        previous: &LoweredFile,
        region_items: &[Item],
        start: usize,
        last: usize,
        edit: TextEdit,
    ) -> Option<Option<UseSite>> {
        let region_end = self.boundary(last + 1);
        match previous.use_site {
            Some(site) if site.after_use || start > 0 => {
                let at = match site.at > region_end {
                    true => site.at.wrapping_add_signed(edit.delta()),
                    false => site.at,
                };
                Some(Some(UseSite { at, ..site }))
            }
            _ => match region_items.first() {
                Some(item) => {
                    Some(Some(UseSite { at: span_of(item).start + start, after_use: false }))
                }
                None if last + 1 >= self.items.len() => Some(None),
                None => None,
            },
        }
    }
}

/// The region's text as items, or `None` if it does not parse as items alone. Only the file's
/// start may hold a byte-order mark, a shebang or inner attributes.
fn parse_region(text: &str, at_file_start: bool) -> Option<syn::File> {
    let tokens = if at_file_start { lex(text).ok()? } else { text.parse().ok()? };
    if nesting::too_deep_at(&tokens, MAX_NESTING).is_some() {
        return None;
    }
    let file = syn::parse2::<syn::File>(tokens).ok()?;
    (at_file_start || file.attrs.is_empty()).then_some(file)
}

/// Items whose edit changes how the file's other items are lowered: `use` items (paths
/// resolve through them) and `static` items (read as places, not constants).
fn shapes_imports(item: &Item) -> bool {
    matches!(item, Item::Use(_) | Item::Static(_))
}

/// Where an item ends, read off its closing brace or semicolon (one lookup, of the end only):
/// `Spanned::span` would print the whole item to tokens to find it.
fn item_end(item: &Item) -> usize {
    let closing = |brace: &syn::token::Brace| offsets::end(brace.span.close());
    let token_end = offsets::end;
    match item {
        Item::Fn(function) => offsets::end(function.block.brace_token.span.join()),
        Item::Impl(implementation) => closing(&implementation.brace_token),
        Item::Trait(trait_item) => closing(&trait_item.brace_token),
        Item::Enum(enumeration) => closing(&enumeration.brace_token),
        Item::ForeignMod(foreign) => closing(&foreign.brace_token),
        Item::Mod(module) => match (&module.content, &module.semi) {
            (Some((brace, _)), _) => closing(brace),
            (None, Some(semi)) => token_end(semi.span),
            (None, None) => span_of(item).end,
        },
        Item::Struct(structure) => match (&structure.semi_token, &structure.fields) {
            (Some(semi), _) => token_end(semi.span),
            (None, syn::Fields::Named(fields)) => closing(&fields.brace_token),
            (None, _) => span_of(item).end,
        },
        Item::Use(item_use) => token_end(item_use.semi_token.span),
        Item::Static(item_static) => token_end(item_static.semi_token.span),
        Item::Const(item_const) => token_end(item_const.semi_token.span),
        Item::Type(item_type) => token_end(item_type.semi_token.span),
        Item::ExternCrate(item_extern) => token_end(item_extern.semi_token.span),
        _ => span_of(item).end,
    }
}
