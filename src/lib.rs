pub mod frontend;
pub mod ir;
pub mod analysis;
pub mod catalog;
pub mod diagnostics;
pub mod lints;
pub mod driver;
pub mod source;
