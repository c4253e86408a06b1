//! `fdlint lsp`: a language server over stdio for `.rs`, `.c` and `.h` documents. It publishes
//! fdlint's findings for the unsaved text of open documents, linted together with the rest of
//! the workspace, and offers each fix and an allow comment as code actions.
//!
//! Like every output, it converts diagnostics into its own serialisable types (`convert`).

mod convert;
mod findings;
mod groups;
mod position;
mod server;
mod settings;
mod uri;
pub mod workspace;

pub use server::run;
